/* A program that does not link tracelane: libtracelane_malloc.so is preloaded
 * into it by malloc_standalone_test and must record with its own recorder. */
#include <stdlib.h>
#include <string.h>

char* volatile g_escape;

int main(void) {
  char* p = malloc((size_t)64 << 20);
  memset(p, 1, 4096);
  g_escape = p;
  free(p);
  return 0;
}
