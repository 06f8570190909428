// STUB: replaced by the reference implementation.
#include "plumb/reference/convert_reference.hpp"
namespace plumb::reference {
ReferenceResult mpfr_convert(const FormatDesc&, const FormatDesc&, uint64_t, const RoundingSpec&, uint32_t) { return {}; }
}
