#include "CBuildInfo.h"

#ifndef TRAINYARD_GIT_REVISION
#define TRAINYARD_GIT_REVISION ""
#endif

const char *trainyard_git_revision(void) { return TRAINYARD_GIT_REVISION; }
