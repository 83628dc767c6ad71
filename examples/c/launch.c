/* Launches a busybox container through the C ABI, runs `uname -a` in it and deletes it. The
 * container is created in the background (an operation) while its progress is printed.
 * Usage: launch-c STATE_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libinstance.h>

static int fail(const char *what, li_error *err) {
    fprintf(stderr, "%s: %s (%s)\n", what, li_error_message(err),
            li_status_name(li_error_code(err)));
    li_error_free(err);
    return 1;
}

/* Prints the unpack progress ("Unpack: 42%") of a create operation when it changed. A real
 * program would read the operation's JSON with a JSON parser. */
static void print_progress(li_operation *op, char *last, size_t last_size) {
    static const char key[] = "\"create_instance_from_image_unpack_progress\":\"";
    char *json = NULL;
    const char *p;
    if (li_operation_get_json(&json, op, NULL) < 0)
        return;
    if ((p = strstr(json, key)) != NULL) {
        p += strlen(key);
        int len = (int)strcspn(p, "\"");
        if (len < (int)last_size && (strncmp(p, last, (size_t)len) != 0 || last[len] != '\0')) {
            printf("creating example-c: %.*s\n", len, p);
            snprintf(last, last_size, "%.*s", len, p);
        }
    }
    li_free(json);
}

int main(int argc, char **argv) {
    li_manager *mgr = NULL;
    li_instance *inst = NULL;
    li_operation *op = NULL;
    li_exec_result *res = NULL;
    li_error *err = NULL;
    char *json = NULL;
    const char *cmd[] = {"uname", "-a", NULL};
    li_delete_opts del = LI_DELETE_OPTS_INIT;
    char progress[64] = "";
    int rc = 1, r;

    if (argc != 2) {
        fprintf(stderr, "usage: %s STATE_DIR\n", argv[0]);
        return 2;
    }
    if (li_manager_open(&mgr, argv[1], &err) < 0)
        return fail("opening the state directory", err);

    /* Build the busybox image the first time only. */
    if (li_image_get_json(&json, mgr, NULL, "busybox", &err) == -LI_ERR_NOT_FOUND) {
        li_image_build_opts opts = LI_IMAGE_BUILD_OPTS_INIT;
        li_error_free(err);
        err = NULL;
        opts.alias = "busybox";
        if (li_image_build(&json, mgr, NULL, "busybox", &opts, &err) < 0) {
            rc = fail("building the busybox image", err);
            goto out;
        }
    } else if (err) {
        rc = fail("looking up the busybox image", err);
        goto out;
    }
    li_free(json);

    /* A run that was interrupted may have left the container behind. */
    del.force = 1;
    if (li_instance_get(&inst, mgr, NULL, "example-c", NULL) == 0) {
        li_instance_delete(inst, &del, NULL);
        li_instance_free(inst);
        inst = NULL;
    }

    /* Create in the background; wait in steps of 100 ms, printing progress in between. */
    if (li_instance_create_json_async(&op, mgr, NULL,
                                      "{\"name\":\"example-c\","
                                      "\"source\":{\"type\":\"image\",\"alias\":\"busybox\"}}",
                                      &err) < 0) {
        rc = fail("creating example-c", err);
        goto out;
    }
    while ((r = li_operation_wait(op, 100, &err)) == -LI_ERR_TIMEOUT) {
        li_error_free(err);
        err = NULL;
        print_progress(op, progress, sizeof progress);
    }
    print_progress(op, progress, sizeof progress);
    li_operation_free(op);
    if (r < 0) {
        rc = fail("creating example-c", err);
        goto out;
    }
    if (li_instance_get(&inst, mgr, NULL, "example-c", &err) < 0) {
        rc = fail("looking up example-c", err);
        goto out;
    }
    if (li_instance_start(inst, NULL, &err) < 0) {
        rc = fail("starting example-c", err);
        goto cleanup;
    }
    if (li_instance_exec(&res, inst, cmd, NULL, &err) < 0) {
        rc = fail("running uname -a", err);
        goto cleanup;
    }
    fputs(li_exec_result_stdout(res, NULL), stdout);
    rc = li_exec_result_exit_code(res);
    li_exec_result_free(res);

cleanup:
    if (li_instance_delete(inst, &del, &err) < 0 && rc == 0)
        rc = fail("deleting example-c", err);
    li_instance_free(inst);
out:
    li_manager_free(mgr);
    return rc;
}
