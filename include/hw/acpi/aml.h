/*
 * A small AML (ACPI Machine Language) byte-code builder, ACPI 6.5 spec
 * chapter 20 "ACPI Machine Language Specification". Each aml_*() call
 * returns a new Aml holding the encoding of one term; containers
 * (scope, device, method, if, package, buffer) take a body built first
 * and consume it. aml_append(parent, child) appends and frees child.
 *
 *     Aml *dev = aml_new();
 *     aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0A03")));
 *     aml_append(dsdt, aml_device("\\_SB.PCI0", dev));
 *
 * Resource templates are built by the caller as raw descriptor bytes and
 * wrapped with aml_buffer(). Name strings accept "\\" (root), "^"
 * (parent) prefixes and dotted 1-4 character segments ("_SB.PCI0").
 * Who calls it: hw/acpi/ table builders, at board init. No state.
 */
#ifndef HW_ACPI_AML_H
#define HW_ACPI_AML_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef GByteArray Aml;

Aml *aml_new(void);
void aml_free(Aml *a);
/* Append child's bytes to parent and free child. */
void aml_append(Aml *parent, Aml *child);
void aml_append_bytes(Aml *a, const void *bytes, size_t len);

/* Data objects */
Aml *aml_int(uint64_t v);           /* Zero/One/Byte/Word/DWord/QWord */
Aml *aml_string(const char *s);
Aml *aml_eisaid(const char *id);    /* "PNP0A03" -> compressed DWord */
Aml *aml_name(const char *name);    /* a NameString reference */
Aml *aml_buffer(const uint8_t *data, size_t len);
Aml *aml_package(uint8_t n, Aml *elements);
Aml *aml_arg(int n);                /* Arg0-Arg6 */
Aml *aml_local(int n);              /* Local0-Local7 */

/* Named objects and namespace modifiers */
Aml *aml_name_decl(const char *name, Aml *value);
Aml *aml_scope(const char *name, Aml *body);
Aml *aml_device(const char *name, Aml *body);
Aml *aml_method(const char *name, int nargs, bool serialized, Aml *body);
#define AML_REGION_PCI_CONFIG 0x02
Aml *aml_operation_region(const char *name, uint8_t space, uint64_t offset,
                          uint64_t len);
/* Field(region, ByteAcc, NoLock, Preserve) { names[i], 8, ... } */
Aml *aml_field_bytes(const char *region, const char *const *names, int n);
Aml *aml_create_dword_field(Aml *buf, Aml *index, const char *name);

/* Statements and expressions; target NULL: no target (NullName) */
Aml *aml_return(Aml *v);
Aml *aml_if(Aml *predicate, Aml *body);
Aml *aml_store(Aml *src, Aml *dst);
Aml *aml_and(Aml *a, Aml *b, Aml *target);
Aml *aml_or(Aml *a, Aml *b, Aml *target);
Aml *aml_lless(Aml *a, Aml *b);
/* Call method name with n args (consumed). */
Aml *aml_call(const char *name, int n, Aml **args);

#endif
