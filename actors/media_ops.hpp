// Session side of the media ops: pass them, with their args, to the meeting the connection joined.
#pragma once

#include "actors/session_ops.hpp"

namespace parley::actors {

/// media.negotiate, media.publish, media.unpublish, media.subscribe, media.unsubscribe,
/// media.consumer.update, media.producers, media.stats, media.echo_test.start, media.echo_test.stop
void add_media_ops(op_table& table);

} // namespace parley::actors
