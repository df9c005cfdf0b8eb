// Messages of the store actor: a set of writes, acknowledged once durable.
#pragma once

#include <caf/atom.hpp>

#include "storage/write_set.hpp"

namespace parley::storage {

/// `(write_atom, write_set)` → `ok_atom` after the WAL sync, or an error.
using write_atom = caf::atom_constant<caf::atom("st_write")>;
using commit_atom = caf::atom_constant<caf::atom("st_commit")>;

} // namespace parley::storage
