/* Compiled as strict C11 with -Werror -pedantic -Wall -Wextra: libinstance.h stands alone. */
#include <libinstance.h>

int header_c11_check(void);

int header_c11_check(void) {
    li_image_build_opts build = LI_IMAGE_BUILD_OPTS_INIT;
    li_image_import_opts import = LI_IMAGE_IMPORT_OPTS_INIT;
    li_start_opts start = LI_START_OPTS_INIT;
    li_stop_opts stop = LI_STOP_OPTS_INIT;
    li_delete_opts del = LI_DELETE_OPTS_INIT;
    li_exec_opts exec = LI_EXEC_OPTS_INIT;
    li_subscribe_opts sub = LI_SUBSCRIBE_OPTS_INIT;
    li_event_cb cb = NULL;
    li_free_cb free_cb = NULL;
    li_status status = LI_ERR_INTERNAL;
    li_list_flags flags = LI_LIST_WITH_STATE;
    int (*open_fn)(li_manager **, const char *, li_error **) = li_manager_open;
    int (*subscribe_fn)(li_subscription **, li_manager *, const li_subscribe_opts *, li_event_cb,
                        void *, li_free_cb, li_error **) = li_manager_subscribe;
    int (*wait_fn)(li_operation *, int64_t, li_error **) = li_operation_wait;
    (void)open_fn;
    (void)subscribe_fn;
    (void)wait_fn;
    (void)cb;
    (void)free_cb;
    return (int)build.version + (int)import.version + (int)start.version + (int)stop.version +
           (int)del.version + (int)exec.version + (int)sub.version + (int)status + (int)flags;
}
