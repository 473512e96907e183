#ifndef TRAINYARD_CBUILDINFO_H
#define TRAINYARD_CBUILDINFO_H

/// The git revision recorded when the package manifest was evaluated; "" outside a checkout.
const char *trainyard_git_revision(void);

#endif
