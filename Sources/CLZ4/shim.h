#ifndef FINSYNC_CLZ4_SHIM_H
#define FINSYNC_CLZ4_SHIM_H
#include <lz4.h>
#endif
