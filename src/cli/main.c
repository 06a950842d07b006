#include <stdio.h>
int main(void) { puts("alm-advisor"); return 0; }
