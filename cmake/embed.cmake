# Turns each JSON file of INPUTS into a NUL-terminated C array in OUT, named after the
# file (default.json -> alm_embedded_default_json), so the binary needs nothing beside it.
set(body "/* Generated from rules/ at build time; edit the JSON, not this file. */\n#include <stddef.h>\n")
string(REPLACE "|" ";" INPUTS "${INPUTS}")
foreach(input IN LISTS INPUTS)
  get_filename_component(name ${input} NAME)
  string(MAKE_C_IDENTIFIER "alm_embedded_${name}" ident)
  file(READ ${input} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "const char ${ident}[] = {${hex}0x00};\nconst size_t ${ident}_len = sizeof ${ident} - 1;\n")
endforeach()
file(WRITE ${OUT}.tmp "${body}")
file(RENAME ${OUT}.tmp ${OUT})
