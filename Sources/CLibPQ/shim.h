#ifndef FINSYNC_CLIBPQ_SHIM_H
#define FINSYNC_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#endif
