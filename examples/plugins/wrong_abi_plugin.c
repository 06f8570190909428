/* examples/plugins: libplumb_wrong_abi_plugin.so, a plugin built for another
 * ABI version; plumb must refuse it with a clear error (exit status 2). */
#include "plumb/plugin.h"

PLUMB_PLUGIN_EXPORT uint32_t plumb_plugin_abi_version(void) { return PLUMB_PLUGIN_ABI_VERSION + 41; }

PLUMB_PLUGIN_EXPORT const plumb_plugin_kernel* plumb_plugin_kernels(size_t* count) {
  *count = 0;
  return 0;
}
