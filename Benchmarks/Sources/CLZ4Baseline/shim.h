// liblz4's block API, for the compression and decompression baselines.
#include <lz4.h>
