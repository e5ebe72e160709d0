// The system libsqlite3 (Debian libsqlite3-dev), the SQLite baseline of issue 6.
#include <sqlite3.h>
