/*
 * User-creatable objects: types the user instantiates with
 * `-object TYPE,id=ID,prop=value,...` or QMP object-add/object-del
 * (memory backends, rng backends, secrets, iothreads, ...).
 *
 * A type opts in by implementing the TYPE_USER_CREATABLE interface; its
 * optional complete() runs after all properties were set. Objects live at
 * /objects/ID. Called by cli/ and the QMP object-add/object-del commands
 * from the main thread (big lock held).
 */
#ifndef QOM_USER_CREATABLE_H
#define QOM_USER_CREATABLE_H

#include "qom/object.h"

#define TYPE_USER_CREATABLE "user-creatable"

typedef struct UserCreatableClass {
    InterfaceClass parent_class;
    /* Called once all properties are set; false + errp aborts creation. */
    bool (*complete)(Object *obj, GError **errp);
    /* May object-del remove it now? (e.g. a backend still in use) */
    bool (*can_be_deleted)(Object *obj);
} UserCreatableClass;

#define USER_CREATABLE_GET_CLASS(obj)                                          \
    OBJECT_GET_CLASS(UserCreatableClass, (obj), TYPE_USER_CREATABLE)
#define USER_CREATABLE_CLASS(klass)                                            \
    OBJECT_CLASS_CHECK(UserCreatableClass, (klass), TYPE_USER_CREATABLE)

/*
 * props maps "qom-type", "id" and property names to string values (as
 * keyval/QemuOpts give them). Creates the object, sets each property with
 * object_property_parse(), runs complete(), and adds it as /objects/ID.
 * Returns a borrowed pointer (the tree holds the reference), or NULL.
 */
Object *user_creatable_add(GHashTable *props, GError **errp);
/* Same with explicit type and id; props holds only properties (or NULL). */
Object *user_creatable_add_type(const char *type, const char *id,
                                GHashTable *props, GError **errp);
/* Runs complete() of an object created by hand. */
bool user_creatable_complete(Object *obj, GError **errp);
/* object-del: "object 'ID' not found" / "object 'ID' is in use ..." */
bool user_creatable_del(const char *id, GError **errp);
/* Remove every object under /objects (at exit). */
void user_creatable_cleanup(void);

/*
 * Help text. `-object help`: "List of user creatable objects:\n  name\n..."
 * `-object TYPE,help`: "TYPE options:\n  prop=<type> ...\n"; NULL with
 * errp for an unknown or non-creatable type. Caller frees.
 */
char *user_creatable_help_list(void);
char *user_creatable_help_type(const char *type, GError **errp);
/* true if opts asks for help ("help" / "?" as type, or a "help" key). */
bool user_creatable_wants_help(GHashTable *props);

#endif
