/**
 * @file libinstance.h
 * @brief The stable C ABI of libinstance: system containers and virtual machines, embedded.
 *
 * Conventions (see docs/design and the architecture document):
 * - Functions are named `li_<object>_<verb>`; handles are opaque and tagged.
 * - Fallible calls return 0 on success or a negative ::li_status on failure; out-parameters come
 *   first and the `li_error **err` comes last. `*err` is set exactly when the call fails (pass NULL
 *   to ignore details). Free it with li_error_free().
 * - Every handle received is freed exactly once with its `li_<type>_free` (NULL-safe).
 * - Returned `char *` are owned by the caller and freed with li_free(); `const char *` accessors
 *   are borrowed until the handle they came from is freed.
 * - Whole objects travel as JSON documents in the LXD REST API 1.0 schemas.
 * - Option structs carry a version as their first field; initialise them with their `_INIT` macro.
 * - `project` arguments may be NULL or "" for the `default` project.
 * - All handles are safe to use from several threads at once.
 */
#ifndef LIBINSTANCE_H
#define LIBINSTANCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LI_EXPORT __attribute__((visibility("default")))
#else
#define LI_EXPORT
#endif

/** @brief Version of the library as a string, e.g. "0.1.0". @since 0.1 */
LI_EXPORT const char *li_version(void);

/** @brief Frees a `char *` returned by the library. NULL-safe. @since 0.1 */
LI_EXPORT void li_free(void *ptr);

/* ------------------------------------------------------------------------------------------ */
/** @name Errors */
/**@{*/

/**
 * @brief Failure codes. Functions return the negated value; li_error_code() returns it positive.
 * Append-only: values never change meaning. @since 0.1
 */
typedef enum li_status {
    LI_OK = 0,
    LI_ERR_NOT_FOUND = 1,        /**< the named object does not exist */
    LI_ERR_ALREADY_EXISTS = 2,   /**< an object of that name exists already */
    LI_ERR_INVALID_ARGUMENT = 3, /**< bad input; li_error_key() names the offending key or field */
    LI_ERR_NOT_SUPPORTED = 4,    /**< the driver or this machine cannot do it */
    LI_ERR_BUSY = 5,             /**< the object (or state directory) is in use */
    LI_ERR_CONFLICT = 6,         /**< the object is in the wrong state (e.g. running) */
    LI_ERR_PERMISSION_DENIED = 7,
    LI_ERR_TIMEOUT = 8,
    LI_ERR_CANCELLED = 9,
    LI_ERR_SYSTEM = 10,          /**< a system call failed; li_error_errno() has errno */
    LI_ERR_BACKEND = 11,         /**< liblxc, libvirt or another backend failed */
    LI_ERR_INTERNAL = 12         /**< a bug in libinstance */
} li_status;

/** @brief Details of a failed call. Opaque; free with li_error_free(). @since 0.1 */
typedef struct li_error li_error;

/** @brief The ::li_status code (positive) of @p err; LI_ERR_INTERNAL for NULL. @since 0.1 */
LI_EXPORT int li_error_code(const li_error *err);
/** @brief The message, a context chain like "starting c1: mounting rootfs: ...". Borrowed. @since 0.1 */
LI_EXPORT const char *li_error_message(const li_error *err);
/** @brief errno for LI_ERR_SYSTEM failures, else 0. @since 0.1 */
LI_EXPORT int li_error_errno(const li_error *err);
/**
 * @brief What is at fault, else "". Borrowed. For LI_ERR_INVALID_ARGUMENT always the offending key,
 * field or path; for LI_ERR_NOT_FOUND, LI_ERR_ALREADY_EXISTS, LI_ERR_BUSY and LI_ERR_NOT_SUPPORTED the
 * argument or key naming the missing, existing, busy or unsupported thing where the call knows one
 * (e.g. "pool", "name", "snapshot", "config.size").
 * @since 0.1
 */
LI_EXPORT const char *li_error_key(const li_error *err);
/** @brief The stable name of a ::li_status code, e.g. "NotFound". Static string. @since 0.1 */
LI_EXPORT const char *li_status_name(int code);
/** @brief Frees an error. NULL-safe. @since 0.1 */
LI_EXPORT void li_error_free(li_error *err);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Manager: one open state directory */
/**@{*/

/** @brief An open state directory. Thread-safe. @since 0.1 */
typedef struct li_manager li_manager;

/**
 * @brief Opens (creating on first use) a state directory and takes its exclusive lock.
 * @param[out] out the manager; free with li_manager_free()
 * @param state_dir NULL for `$LIBINSTANCE_DIR`, else `/var/lib/libinstance`
 * @return 0, or -LI_ERR_BUSY when another process holds the directory.
 * @since 0.1
 */
LI_EXPORT int li_manager_open(li_manager **out, const char *state_dir, li_error **err);
/** @brief The absolute state directory of @p mgr. Borrowed. @since 0.1 */
LI_EXPORT const char *li_manager_state_dir(const li_manager *mgr);
/**
 * @brief Releases the caller's reference. The state directory is closed (and its lock released)
 * once every handle obtained from it is freed too and no operation is still running; an operation
 * that has just ended may hold it for a moment longer. NULL-safe. @since 0.1
 */
LI_EXPORT void li_manager_free(li_manager *mgr);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Images */
/**@{*/

#define LI_IMAGE_BUILD_OPTS_VERSION 1
/** @brief Options of li_image_build(). @since 0.1 */
typedef struct li_image_build_opts {
    unsigned int version;    /**< LI_IMAGE_BUILD_OPTS_VERSION */
    const char *alias;       /**< alias to give the image, or NULL */
    const char *output_path; /**< also write the LXD unified tarball here, or NULL */
    /* The "debian" builder's options; NULL selects the default. */
    const char *release;     /**< Debian release, default "bookworm" */
    const char *variant;     /**< debootstrap variant: "minbase" (default), "buildd" or "default" */
    const char *mirror;      /**< mirror URL, default the host's Debian mirror, else deb.debian.org */
    const char *const *packages; /**< NULL-terminated extra packages, or NULL */
    const char *init;        /**< init package, default "systemd-sysv" */
    const char *cache_dir;   /**< build cache, default $LIBINSTANCE_CACHE_DIR, else <state>/cache */
} li_image_build_opts;
#define LI_IMAGE_BUILD_OPTS_INIT { LI_IMAGE_BUILD_OPTS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/**
 * @brief Builds an image locally with the named builder ("busybox", or "debian": debootstrap,
 * minutes the first time, then instant from its cache, or "debian-vm": a virtual-machine image,
 * type "virtual-machine", of the host's Debian kernel, busybox and the VM agent, cached too; its
 * options are release (the host's only) and cache_dir; output_path gets the metadata tarball
 * and output_path + ".qcow2" the disk) and adds it to the store.
 * @param[out] out_json the new image as an LXD `Image` document; free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_image_build(char **out_json, li_manager *mgr, const char *project,
                             const char *builder, const li_image_build_opts *opts, li_error **err);

#define LI_IMAGE_IMPORT_OPTS_VERSION 1
/** @brief Options of li_image_import(). @since 0.1 */
typedef struct li_image_import_opts {
    unsigned int version; /**< LI_IMAGE_IMPORT_OPTS_VERSION */
    const char *alias;    /**< alias to give the image, or NULL */
    /** split image: the rootfs tarball or squashfs (`path` is then the metadata tarball), or NULL */
    const char *rootfs_path;
    /** refuse the image (LI_ERR_INVALID_ARGUMENT, key "expected_fingerprint") unless its
     *  fingerprint is this sha256, or NULL */
    const char *expected_fingerprint;
    /** JSON object of properties set over metadata.yaml's, e.g. `{"os":"debian"}`, or NULL */
    const char *properties_json;
    int public_;          /**< non-zero: a public image */
    int auto_update;      /**< non-zero: refresh it from its server */
    int cached;           /**< non-zero: pulled implicitly; expires when unused (images.remote_cache_expiry) */
    /** decompression-bomb limits: unpacked size at most this times the file's size, and at most
     *  max_unpack_bytes; 0 takes the manager's images.unpack_max_ratio / images.unpack_max_size */
    unsigned long long max_unpack_ratio;
    unsigned long long max_unpack_bytes; /**< see max_unpack_ratio */
} li_image_import_opts;
#define LI_IMAGE_IMPORT_OPTS_INIT { LI_IMAGE_IMPORT_OPTS_VERSION, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0 }

/**
 * @brief Imports an LXD-format image: a unified tarball, or (with opts->rootfs_path) a split
 * metadata tarball + rootfs tarball or squashfs; gzip, xz, zstd, bzip2 or no compression. The
 * fingerprint is computed as LXD does (sha256 of the file, or of the metadata file followed by the
 * rootfs file). Importing an image already present fails with LI_ERR_ALREADY_EXISTS. Hostile or
 * broken archives fail with LI_ERR_INVALID_ARGUMENT whose key names the entry or field, leaving
 * the store unchanged.
 * @param[out] out_json the image as an LXD `Image` document; free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_image_import(char **out_json, li_manager *mgr, const char *project,
                              const char *path, const li_image_import_opts *opts, li_error **err);
/** @brief All images as a JSON array of LXD `Image` documents. @since 0.1 */
LI_EXPORT int li_image_list_json(char **out_json, li_manager *mgr, const char *project, li_error **err);
/** @brief One image by alias, full fingerprint or unique fingerprint prefix. @since 0.1 */
LI_EXPORT int li_image_get_json(char **out_json, li_manager *mgr, const char *project,
                                const char *ref, li_error **err);
/** @brief Deletes an image (by alias or fingerprint prefix) and its aliases. @since 0.1 */
LI_EXPORT int li_image_delete(li_manager *mgr, const char *project, const char *ref, li_error **err);
/** @brief Points a new alias at an image. @since 0.1 */
LI_EXPORT int li_image_alias_create(li_manager *mgr, const char *project, const char *alias,
                                    const char *image_ref, const char *description, li_error **err);
/** @brief Removes an alias (the image stays). @since 0.1 */
LI_EXPORT int li_image_alias_delete(li_manager *mgr, const char *project, const char *alias,
                                    li_error **err);
/** @brief Renames an alias ("image-alias-renamed" event). @since 0.1 */
LI_EXPORT int li_image_alias_rename(li_manager *mgr, const char *project, const char *alias,
                                    const char *new_name, li_error **err);
/** @brief Points an alias at another image (ref) and sets its description. @since 0.1 */
LI_EXPORT int li_image_alias_update(li_manager *mgr, const char *project, const char *alias,
                                    const char *image_ref, const char *description, li_error **err);
/** @brief All aliases as a JSON array of LXD `ImageAliasesEntry` (name, description, target, type). @since 0.1 */
LI_EXPORT int li_image_alias_list_json(char **out_json, li_manager *mgr, const char *project,
                                       li_error **err);
/** @brief One alias as an LXD `ImageAliasesEntry` document; LI_ERR_NOT_FOUND when absent. @since 0.1 */
LI_EXPORT int li_image_alias_get_json(char **out_json, li_manager *mgr, const char *project,
                                      const char *alias, li_error **err);
/**
 * @brief Replaces an image's editable fields from an LXD `ImagePut` document
 * (`{"properties":{...},"public":false,"auto_update":false,"expires_at":"..."}`) and emits
 * "image-updated". @param[out] out_json the updated image; free with li_free() @since 0.1
 */
LI_EXPORT int li_image_update_json(char **out_json, li_manager *mgr, const char *project,
                                   const char *ref, const char *put_json, li_error **err);
/**
 * @brief Writes an image's stored file(s) unchanged, named as `lxc image export` does: into the
 * directory target (NULL: the current directory) as "<fp>.tar.gz" etc., or "meta-<fp>.tar.xz" +
 * "<fp>.squashfs" for a split image; a non-directory target names the file ("<target>.tar.gz",
 * or "<target>" + "<target>.root" when split).
 * @param[out] out_json `{"metadata_path": "...", "rootfs_path": "..." or ""}`; free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_image_export(char **out_json, li_manager *mgr, const char *project,
                              const char *ref, const char *target, li_error **err);
/**
 * @brief Removes cached images unused for images.remote_cache_expiry days (every project).
 * @param[out] out_json JSON array of the removed fingerprints; free with li_free() @since 0.1
 */
LI_EXPORT int li_images_prune(char **out_json, li_manager *mgr, li_error **err);
/** @brief The manager's settings that are set, as a JSON object (LXD's server config). @since 0.1 */
LI_EXPORT int li_manager_config_json(char **out_json, li_manager *mgr, li_error **err);
/** @brief One setting's value, or its default when unset; free with li_free(). @since 0.1 */
LI_EXPORT int li_manager_config_get(char **out_value, li_manager *mgr, const char *key, li_error **err);
/**
 * @brief Sets a manager setting (NULL or "" unsets it): images.remote_cache_expiry (days),
 * images.unpack_max_ratio, images.unpack_max_size (e.g. "64GiB"). @since 0.1
 */
LI_EXPORT int li_manager_config_set(li_manager *mgr, const char *key, const char *value, li_error **err);
/**
 * @brief Publishes a stopped instance as a new image (unified tarball; LI_ERR_CONFLICT while it
 * runs). The request is LXD's `ImagesPost`:
 * `{"source":{"type":"instance","name":"c1"},"aliases":[{"name":"a"}],"properties":{"k":"v"},
 * "compression_algorithm":"xz","public":false,"expires_at":"2030-01-01T00:00:00Z"}`; compression
 * is gzip (default), xz, zstd, bzip2 or none; properties are merged over the source image's.
 * A snapshot is published with `{"type":"snapshot","name":"c1/snap0"}` (its instance may run; the
 * snapshot's own `image.*` config gives the properties); LI_ERR_NOT_FOUND (key "instance") when
 * there is no such snapshot.
 * @param[out] out_json the new image as an LXD `Image` document; free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_image_publish(char **out_json, li_manager *mgr, const char *project,
                               const char *images_post_json, li_error **err);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Instances */
/**@{*/

/** @brief A handle on one instance (by project and name). Thread-safe. @since 0.1 */
typedef struct li_instance li_instance;

/**
 * @brief Creates an instance from an LXD `InstancesPost` document, e.g.
 * `{"name":"c1","source":{"type":"image","alias":"busybox"}}`, or copies one with source
 * `{"type":"copy","source":"c1"}` with its snapshots unless `"instance_only":true`, or from a snapshot with
 * `"source":"c1/snap0"` (config, devices and profiles of the original, the document's
 * applied over them; on another pool, chosen by a root disk in `devices`, the original must be
 * stopped: LI_ERR_BUSY, key "source.source"). Nothing is left behind on failure.
 * @param[out] out the new instance; free with li_instance_free()
 * @since 0.1
 */
LI_EXPORT int li_instance_create_json(li_instance **out, li_manager *mgr, const char *project,
                                      const char *instances_post_json, li_error **err);
/** @brief Looks an instance up by name; LI_ERR_NOT_FOUND if there is none. @since 0.1 */
LI_EXPORT int li_instance_get(li_instance **out, li_manager *mgr, const char *project,
                              const char *name, li_error **err);

/** @brief Flags of li_instance_list_json(). @since 0.1 */
typedef enum li_list_flags {
    LI_LIST_DEFAULT = 0,
    LI_LIST_WITH_STATE = 1 /**< add each instance's `state` (like LXD's recursion=2) */
} li_list_flags;
/** @brief All instances of a project as a JSON array of LXD `Instance` documents. @since 0.1 */
LI_EXPORT int li_instance_list_json(char **out_json, li_manager *mgr, const char *project,
                                    unsigned int flags, li_error **err);

/** @brief The instance's name. Borrowed. @since 0.1 */
LI_EXPORT const char *li_instance_name(const li_instance *inst);
/** @brief The instance's project. Borrowed. @since 0.1 */
LI_EXPORT const char *li_instance_project(const li_instance *inst);
/** @brief The instance as an LXD `Instance` document. @since 0.1 */
LI_EXPORT int li_instance_get_json(char **out_json, li_instance *inst, li_error **err);
/** @brief The instance's LXD `InstanceState` document (status, pid, memory, processes). @since 0.1 */
LI_EXPORT int li_instance_state_json(char **out_json, li_instance *inst, li_error **err);
/**
 * @brief The LXD status code: 103 Running, 102 Stopped, 110 Frozen, 112 Error.
 * @since 0.1
 */
LI_EXPORT int li_instance_status_code(int *out_code, li_instance *inst, li_error **err);

#define LI_START_OPTS_VERSION 1
/** @brief Options of li_instance_start(). @since 0.1 */
typedef struct li_start_opts {
    unsigned int version; /**< LI_START_OPTS_VERSION */
    int stateful;         /**< restore from a checkpoint (not supported yet) */
} li_start_opts;
#define LI_START_OPTS_INIT { LI_START_OPTS_VERSION, 0 }
/** @brief Starts a stopped instance; LI_ERR_CONFLICT if it is running. opts may be NULL. @since 0.1 */
LI_EXPORT int li_instance_start(li_instance *inst, const li_start_opts *opts, li_error **err);

#define LI_STOP_OPTS_VERSION 1
/** @brief Options of li_instance_stop() and li_instance_restart(). @since 0.1 */
typedef struct li_stop_opts {
    unsigned int version; /**< LI_STOP_OPTS_VERSION */
    int force;            /**< kill at once instead of asking the init to halt */
    int timeout_seconds;  /**< graceful wait before killing; negative: the default (30 s) */
} li_stop_opts;
#define LI_STOP_OPTS_INIT { LI_STOP_OPTS_VERSION, 0, -1 }
/** @brief Stops a running instance: the init's halt signal, then a kill after the timeout. @since 0.1 */
LI_EXPORT int li_instance_stop(li_instance *inst, const li_stop_opts *opts, li_error **err);
/** @brief Stops (as li_instance_stop()) and starts again a running instance. @since 0.1 */
LI_EXPORT int li_instance_restart(li_instance *inst, const li_stop_opts *opts, li_error **err);

#define LI_DELETE_OPTS_VERSION 1
/** @brief Options of li_instance_delete(). @since 0.1 */
typedef struct li_delete_opts {
    unsigned int version; /**< LI_DELETE_OPTS_VERSION */
    int force;            /**< stop a running instance first instead of failing with LI_ERR_CONFLICT */
} li_delete_opts;
#define LI_DELETE_OPTS_INIT { LI_DELETE_OPTS_VERSION, 0 }
/** @brief Deletes the instance and its storage. The handle stays valid but finds nothing. @since 0.1 */
LI_EXPORT int li_instance_delete(li_instance *inst, const li_delete_opts *opts, li_error **err);

/** @brief Frees an instance handle. NULL-safe. @since 0.1 */
LI_EXPORT void li_instance_free(li_instance *inst);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Exec */
/**@{*/

/**
 * @brief Sends signals to a command that li_instance_exec() or li_instance_exec_terminal() runs,
 * from another thread. Make one with li_exec_control_new(), put it in li_exec_opts.control, call
 * the exec in one thread and li_exec_control_signal() in another. One control serves one exec at a
 * time and may be reused for the next. Thread-safe; free it only once no exec uses it. @since 0.1
 */
typedef struct li_exec_control li_exec_control;
/** @brief A new exec control, or NULL when out of memory. Free with li_exec_control_free(). @since 0.1 */
LI_EXPORT li_exec_control *li_exec_control_new(void);
/**
 * @brief Sends signal @p sig to the command of the exec using @p control: kill() of the command's
 * host process for an embedded manager, LXD's exec control message {"command": "signal"} for a
 * connected one. Callable from any thread while the exec runs. The command may print before
 * the library learnt that it started: a Conflict saying "not started yet" is worth retrying.
 * @return LI_ERR_CONFLICT (key "control") before the command started or after it ended, or when no
 * exec uses the control; LI_ERR_INVALID_ARGUMENT (key "sig") for a signal number out of 1..64.
 * @since 0.1
 */
LI_EXPORT int li_exec_control_signal(li_exec_control *control, int sig, li_error **err);
/** @brief Frees an exec control. NULL-safe. @since 0.1 */
LI_EXPORT void li_exec_control_free(li_exec_control *control);

/* Version 2 added control; callers that set version 1 keep working (control is not read). */
#define LI_EXEC_OPTS_VERSION 2
/** @brief Options of li_instance_exec(). @since 0.1 */
typedef struct li_exec_opts {
    unsigned int version;         /**< LI_EXEC_OPTS_VERSION */
    const char *const *env;       /**< NULL-terminated "KEY=VALUE" strings, or NULL */
    const char *cwd;              /**< working directory inside the instance, or NULL for /root */
    const void *stdin_data;       /**< bytes fed to the command's stdin (with stdin_fd < 0), or NULL */
    size_t stdin_len;
    int stdin_fd;                 /**< >= 0: the command reads this fd instead (not closed) */
    int stdout_fd;                /**< >= 0: the command writes here instead of being captured */
    int stderr_fd;                /**< >= 0: likewise for stderr */
    uint32_t uid;                 /**< user inside the instance (0 = root) */
    uint32_t gid;                 /**< group inside the instance (0 = root) */
    li_exec_control *control;     /**< signals the command from another thread, or NULL (version 2) */
} li_exec_opts;
#define LI_EXEC_OPTS_INIT { LI_EXEC_OPTS_VERSION, NULL, NULL, NULL, 0, -1, -1, -1, 0, 0, NULL }

/** @brief The outcome of li_instance_exec(). Free with li_exec_result_free(). @since 0.1 */
typedef struct li_exec_result li_exec_result;

/**
 * @brief Runs a command in a running instance and waits for it.
 * @param argv NULL-terminated argument vector; argv[0] is looked up in the instance's PATH
 * @param[out] out the exit status and captured output
 * @return LI_ERR_CONFLICT if the instance is not running, LI_ERR_NOT_FOUND if argv[0] is not found.
 * @since 0.1
 */
LI_EXPORT int li_instance_exec(li_exec_result **out, li_instance *inst, const char *const *argv,
                               const li_exec_opts *opts, li_error **err);
/**
 * @brief How this manager's execs reach running containers (docs/design/0011-exec-agents.md).
 * An exec agent is a small process kept inside a running container; later execs fork from it
 * instead of attaching through liblxc, which is much faster. It shows as `li-exec-agent` in the
 * container's process list.
 * @param policy "off" (always attach), "on-demand" (the first exec starts the agent; the
 * default) or "at-start" (also started right after each container start)
 * @return LI_ERR_INVALID_ARGUMENT (key "policy") for another word, LI_ERR_NOT_SUPPORTED on a
 * connected manager. @since 0.1
 */
LI_EXPORT int li_manager_set_exec_agent_policy(li_manager *mgr, const char *policy, li_error **err);
/** @brief The policy li_manager_set_exec_agent_policy() set; free *out_policy with li_free(). @since 0.1 */
LI_EXPORT int li_manager_get_exec_agent_policy(char **out_policy, li_manager *mgr, li_error **err);
/** @brief Exit status: the code, or 128+N when killed by signal N. @since 0.1 */
LI_EXPORT int li_exec_result_exit_code(const li_exec_result *res);
/**
 * @brief Captured stdout. Always NUL-terminated; holds binary data too, so use *len (when @p len
 * is not NULL) for its size. Borrowed. @since 0.1
 */
LI_EXPORT const char *li_exec_result_stdout(const li_exec_result *res, size_t *len);
/** @brief Captured stderr, as li_exec_result_stdout(). Borrowed. @since 0.1 */
LI_EXPORT const char *li_exec_result_stderr(const li_exec_result *res, size_t *len);
/** @brief Frees an exec result. NULL-safe. @since 0.1 */
LI_EXPORT void li_exec_result_free(li_exec_result *res);

#define LI_TERMINAL_OPTS_VERSION 1
/** @brief The terminal of li_instance_exec_terminal(). @since 0.1 */
typedef struct li_terminal_opts {
    unsigned int version; /**< LI_TERMINAL_OPTS_VERSION */
    uint32_t width;       /**< terminal columns; 0 leaves the size as it is */
    uint32_t height;      /**< terminal rows */
} li_terminal_opts;
#define LI_TERMINAL_OPTS_INIT { LI_TERMINAL_OPTS_VERSION, 0, 0 }

/**
 * @brief Runs a command on a terminal allocated inside the running instance and waits for it
 * (LXD's interactive exec, `lxc exec -t`): the terminal is the command's stdin, stdout, stderr and
 * controlling terminal (new session), so `tty` inside names a /dev/pts entry of the instance and
 * `stty size` reports @p term's size.
 *
 * From @p opts (NULL: defaults): env, cwd, uid, gid as for li_instance_exec(); stdin_data is typed
 * on the terminal first, then what stdin_fd (>= 0, not closed) yields until its end; what the
 * terminal shows is written to stdout_fd (>= 0, not closed) or else captured as the result's stdout
 * (stdout and stderr merged, with the terminal's echo and CR LF line ends). stderr_fd must be -1.
 * Returns when the command has exited and the terminal is drained; the result's stderr is empty.
 * @return LI_ERR_CONFLICT if the instance is not running, LI_ERR_NOT_FOUND if argv[0] is not found.
 * @since 0.1
 */
LI_EXPORT int li_instance_exec_terminal(li_exec_result **out, li_instance *inst,
                                        const char *const *argv, const li_exec_opts *opts,
                                        const li_terminal_opts *term, li_error **err);

/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Files inside an instance (LXD's /1.0/instances/NAME/files), running or stopped */
/**@{*/

#define LI_FILE_OPTS_VERSION 1
/** @brief Owner, mode and parents of what the file calls create. @since 0.1 */
typedef struct li_file_opts {
    unsigned int version; /**< LI_FILE_OPTS_VERSION */
    int64_t uid;          /**< owner inside the instance; -1: an existing file's, else 0 */
    int64_t gid;          /**< group inside the instance; -1 as for uid */
    int32_t mode;         /**< permission bits (e.g. 0640); -1: an existing file's, else 0644 / 0755 */
    int create_parents;   /**< non-zero: create missing parent directories (mode 0755) */
} li_file_opts;
#define LI_FILE_OPTS_INIT { LI_FILE_OPTS_VERSION, -1, -1, -1, 0 }

/**
 * @brief Writes the file at @p path inside the instance from @p fd, read to its end in chunks
 * (never held whole in memory), through a temporary file renamed into place: a failure leaves
 * the old file or nothing. Paths are absolute and resolved as if the instance's root were '/',
 * so no symlink leads out of it.
 * @param fd readable fd (not closed)
 * @return LI_ERR_INVALID_ARGUMENT (key "path") for a relative path or one climbing above '/',
 * (key "uid"/"gid") for an id the instance does not map; LI_ERR_NOT_FOUND (key "path") when a
 * parent directory is missing; LI_ERR_CONFLICT when path is a directory.
 * @since 0.1
 */
LI_EXPORT int li_instance_file_push(li_instance *inst, const char *path, int fd, const li_file_opts *opts,
                                    li_error **err);
/** @brief li_instance_file_push() from @p len bytes at @p data. @since 0.1 */
LI_EXPORT int li_instance_file_push_data(li_instance *inst, const char *path, const void *data, size_t len,
                                         const li_file_opts *opts, li_error **err);
/**
 * @brief Streams the regular file at @p path to @p fd (when fd >= 0) and describes it as JSON:
 * `{"type":"file|directory|symlink","uid":N,"gid":N,"mode":N,"size":N}` (ids as seen inside;
 * LXD's X-LXD-* headers), with "entries" (sorted names) for a directory and "target" for a
 * symlink, which is described, not followed.
 * @param[out] out_info_json free with li_free(); may be NULL
 * @return LI_ERR_NOT_SUPPORTED (key "path") for device nodes, fifos and sockets.
 * @since 0.1
 */
LI_EXPORT int li_instance_file_pull(char **out_info_json, li_instance *inst, const char *path, int fd,
                                    li_error **err);
/** @brief Describes @p path as li_instance_file_pull() does, without reading content (a directory lists its entries). @since 0.1 */
LI_EXPORT int li_instance_file_stat_json(char **out_json, li_instance *inst, const char *path, li_error **err);
/** @brief Removes a file, a symlink or an empty directory (LI_ERR_CONFLICT when not empty). @since 0.1 */
LI_EXPORT int li_instance_file_delete(li_instance *inst, const char *path, li_error **err);
/** @brief Creates a directory; LI_ERR_ALREADY_EXISTS unless opts->create_parents (mkdir -p). @since 0.1 */
LI_EXPORT int li_instance_file_mkdir(li_instance *inst, const char *path, const li_file_opts *opts, li_error **err);
/** @brief Creates a symlink at @p path pointing to @p target (opts->mode is ignored). @since 0.1 */
LI_EXPORT int li_instance_file_symlink(li_instance *inst, const char *path, const char *target,
                                       const li_file_opts *opts, li_error **err);
/**
 * @brief Copies the content of the host directory @p source into @p path (created), keeping
 * modes and owners unless opts sets them; symlinks stay symlinks; fifos, sockets and device
 * nodes are skipped. @since 0.1
 */
LI_EXPORT int li_instance_file_push_tree(li_instance *inst, const char *source, const char *path,
                                         const li_file_opts *opts, li_error **err);
/** @brief Copies @p path (a directory's content, or one file) to the host path @p target, keeping modes. @since 0.1 */
LI_EXPORT int li_instance_file_pull_tree(li_instance *inst, const char *path, const char *target, li_error **err);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Console and logs */
/**@{*/

/**
 * @brief An attached console: a terminal whose other side is the container's /dev/console.
 * Free with li_console_free(), which detaches. @since 0.1
 */
typedef struct li_console li_console;

#define LI_CONSOLE_OPTS_VERSION 1
/** @brief Options of li_instance_console(). @since 0.1 */
typedef struct li_console_opts {
    unsigned int version; /**< LI_CONSOLE_OPTS_VERSION */
    uint32_t width;       /**< terminal columns; 0 leaves the size as it is */
    uint32_t height;      /**< terminal rows */
} li_console_opts;
#define LI_CONSOLE_OPTS_INIT { LI_CONSOLE_OPTS_VERSION, 0, 0 }

/**
 * @brief Attaches to the console of a running instance (like `lxc console`). Read the console's
 * output from li_console_fd() and write keystrokes to it; the caller chooses a detach sequence.
 * @return LI_ERR_CONFLICT if the instance is not running, LI_ERR_BUSY when another client
 * holds the console.
 * @since 0.1
 */
LI_EXPORT int li_instance_console(li_console **out, li_instance *inst, const li_console_opts *opts,
                                  li_error **err);
/** @brief The terminal's master side (read/write). Borrowed: li_console_free() closes it. @since 0.1 */
LI_EXPORT int li_console_fd(const li_console *console);
/** @brief Sets the console terminal's size. @since 0.1 */
LI_EXPORT int li_console_resize(li_console *console, uint32_t width, uint32_t height, li_error **err);
/** @brief Detaches from the console and frees the handle. NULL-safe. @since 0.1 */
LI_EXPORT void li_console_free(li_console *console);

/**
 * @brief The console output logged so far (LXD's GET /1.0/instances/NAME/console), running or
 * stopped. NUL-terminated; may hold any bytes, so *out_len (when not NULL) gives its size.
 * @param[out] out free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_instance_console_log(char **out, size_t *out_len, li_instance *inst, li_error **err);
/** @brief Empties the console log (LXD's DELETE /1.0/instances/NAME/console). @since 0.1 */
LI_EXPORT int li_instance_console_log_clear(li_instance *inst, li_error **err);
/**
 * @brief The names of the instance's log files as a JSON array of strings, e.g.
 * `["console.log","lxc.log"]` (LXD's GET /1.0/instances/NAME/logs). @since 0.1
 */
LI_EXPORT int li_instance_log_files_json(char **out_json, li_instance *inst, li_error **err);
/**
 * @brief One log file's content (LXD's GET /1.0/instances/NAME/logs/NAME), e.g. "lxc.log".
 * @return LI_ERR_INVALID_ARGUMENT (key "name") for a name with a '/' or "..",
 * LI_ERR_NOT_FOUND when there is no such log.
 * @param[out] out free with li_free(); *out_len (when not NULL) gives its size
 * @since 0.1
 */
LI_EXPORT int li_instance_log_file(char **out, size_t *out_len, li_instance *inst, const char *name,
                                   li_error **err);

/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Operations: long work in the background (LXD's operations) */
/**@{*/

/** @brief A handle on one operation. Thread-safe. Free with li_operation_free(). @since 0.1 */
typedef struct li_operation li_operation;

/** @brief The operation's id (a UUID). Borrowed. @since 0.1 */
LI_EXPORT const char *li_operation_id(const li_operation *op);
/**
 * @brief The operation as an LXD `Operation` document: status and status_code (103 Running,
 * 200 Success, 400 Failure, 401 Cancelled), resources, metadata with progress strings such as
 * `create_instance_from_image_unpack_progress`, may_cancel, err.
 * @since 0.1
 */
LI_EXPORT int li_operation_get_json(char **out_json, li_operation *op, li_error **err);
/**
 * @brief Waits for the operation to end.
 * @param timeout_ms negative: wait for ever
 * @return 0 when it succeeded; -LI_ERR_TIMEOUT (and *err) when still running at the timeout;
 * otherwise the operation's own failure (-LI_ERR_CANCELLED when it was cancelled), with *err set.
 * @since 0.1
 */
LI_EXPORT int li_operation_wait(li_operation *op, int64_t timeout_ms, li_error **err);
/**
 * @brief Asks the operation to stop at its next check point (it then ends Cancelled, leaving
 * nothing half-made). LI_ERR_NOT_SUPPORTED when it cannot be cancelled; 0 when it already ended.
 * @since 0.1
 */
LI_EXPORT int li_operation_cancel(li_operation *op, li_error **err);
/** @brief Frees the handle (the operation itself goes on). NULL-safe. @since 0.1 */
LI_EXPORT void li_operation_free(li_operation *op);
/** @brief Running and recently ended operations as a JSON array of `Operation` documents. @since 0.1 */
LI_EXPORT int li_operation_list_json(char **out_json, li_manager *mgr, li_error **err);
/** @brief One operation by id; LI_ERR_NOT_FOUND when unknown or expired. @since 0.1 */
LI_EXPORT int li_operation_get(li_operation **out, li_manager *mgr, const char *id, li_error **err);

/** @brief li_image_build() as an operation; its metadata has "fingerprint" on success. @since 0.1 */
LI_EXPORT int li_image_build_async(li_operation **out, li_manager *mgr, const char *project,
                                   const char *builder, const li_image_build_opts *opts, li_error **err);
/** @brief li_image_import() as an operation; its metadata has "fingerprint" on success. @since 0.1 */
LI_EXPORT int li_image_import_async(li_operation **out, li_manager *mgr, const char *project,
                                    const char *path, const li_image_import_opts *opts, li_error **err);
/**
 * @brief li_image_export() as an operation (progress "image_export_progress", cancellable); its
 * metadata has "metadata_path" and "rootfs_path" on success. @since 0.1
 */
LI_EXPORT int li_image_export_async(li_operation **out, li_manager *mgr, const char *project,
                                    const char *ref, const char *target, li_error **err);
/**
 * @brief li_image_publish() as an operation (progress "create_image_from_container_pack_progress",
 * cancellable); its metadata has "fingerprint" on success. @since 0.1
 */
LI_EXPORT int li_image_publish_async(li_operation **out, li_manager *mgr, const char *project,
                                     const char *images_post_json, li_error **err);
/**
 * @brief li_instance_create_json() as an operation (cancellable while the image is unpacked).
 * Errors in the document itself are reported at once, by this call. @since 0.1
 */
LI_EXPORT int li_instance_create_json_async(li_operation **out, li_manager *mgr, const char *project,
                                            const char *instances_post_json, li_error **err);
/** @brief li_instance_start() as an operation. @since 0.1 */
LI_EXPORT int li_instance_start_async(li_operation **out, li_instance *inst, const li_start_opts *opts,
                                      li_error **err);
/** @brief li_instance_stop() as an operation. @since 0.1 */
LI_EXPORT int li_instance_stop_async(li_operation **out, li_instance *inst, const li_stop_opts *opts,
                                     li_error **err);
/** @brief li_instance_restart() as an operation. @since 0.1 */
LI_EXPORT int li_instance_restart_async(li_operation **out, li_instance *inst, const li_stop_opts *opts,
                                        li_error **err);
/** @brief li_instance_delete() as an operation. @since 0.1 */
LI_EXPORT int li_instance_delete_async(li_operation **out, li_instance *inst, const li_delete_opts *opts,
                                       li_error **err);
/**
 * @brief Renames a stopped instance (`lxc move c1 c2`) and emits instance-renamed; the handle
 * follows it (do not use the handle from another thread during the call).
 * @return -LI_ERR_BUSY (key "name") while running; -LI_ERR_ALREADY_EXISTS or
 * -LI_ERR_INVALID_ARGUMENT (key "name").
 * @since 0.1
 */
LI_EXPORT int li_instance_rename(li_instance *inst, const char *new_name, li_error **err);
/**
 * @brief Moves a stopped instance's root volume to another storage pool (`lxc move c1 --storage
 * P`): a whole copy there, recorded in the instance's own root disk device, then the old volume
 * goes. Nothing changes on failure.
 * @return -LI_ERR_BUSY (key "name") while running; -LI_ERR_NOT_FOUND or -LI_ERR_INVALID_ARGUMENT
 * (key "pool") for an unknown pool or the one it is on.
 * @since 0.1
 */
LI_EXPORT int li_instance_move_pool(li_instance *inst, const char *pool, li_error **err);
/** @brief li_instance_move_pool() as an operation (cancellable). @since 0.1 */
LI_EXPORT int li_instance_move_pool_async(li_operation **out, li_instance *inst, const char *pool, li_error **err);
/**
 * @brief Copies the instance to another manager (embedded or connected; `lxc copy r1:c1 r2:c2`)
 * as new_name (NULL or "": its own name), relayed through a backup in a private temporary file
 * that is always removed. Options: `{"project": "", "pool": "", "instance_only": false,
 * "profiles": null, "config": {}, "devices": {}, "ephemeral": false, "stateless": false,
 * "refresh": false}` (NULL: the defaults; "profiles" [] applies none; "devices" are whole devices
 * added or replacing the source's). The copy has none of the source's identifying volatile keys.
 * Nothing is left on the target when it fails.
 * @return -LI_ERR_ALREADY_EXISTS (key "name"), -LI_ERR_NOT_FOUND (key "pool" or "profiles"),
 * -LI_ERR_NOT_SUPPORTED (key "refresh"), -LI_ERR_INVALID_ARGUMENT naming a bad option.
 * @param[out] out the copy, a handle of target; free with li_instance_free(); may be NULL
 * @since 0.1
 */
LI_EXPORT int li_instance_copy_to(li_instance **out, li_instance *inst, li_manager *target, const char *new_name,
                                  const char *options_json, li_error **err);
/**
 * @brief li_instance_copy_to() as an operation of this process (cancellable; progress
 * "copy_progress", metadata "name" once it succeeds).
 * @since 0.1
 */
LI_EXPORT int li_instance_copy_to_async(li_operation **out, li_instance *inst, li_manager *target, const char *new_name,
                                        const char *options_json, li_error **err);
/**
 * @brief Moves the instance to another manager (`lxc move r1:c1 r2:`): li_instance_copy_to() with
 * its snapshots, then the source is deleted once the copy exists. Any failure leaves the source
 * as it was and no copy.
 * @return -LI_ERR_BUSY (key "status") for a running instance unless options' "stateless" (stop,
 * move, start on the target); the errors of li_instance_copy_to().
 * @since 0.1
 */
LI_EXPORT int li_instance_move_to(li_instance *inst, li_manager *target, const char *new_name, const char *options_json,
                                  li_error **err);
/** @brief li_instance_move_to() as an operation (cancellable, progress "copy_progress"). @since 0.1 */
LI_EXPORT int li_instance_move_to_async(li_operation **out, li_instance *inst, li_manager *target, const char *new_name,
                                        const char *options_json, li_error **err);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Instance snapshots (LXD's /1.0/instances/NAME/snapshots, `lxc snapshot` / `lxc restore`) */
/**@{*/
/*
 * Snapshots are stateless (stateful: -LI_ERR_NOT_SUPPORTED, key "stateful"). Unknown snapshots are
 * -LI_ERR_NOT_FOUND with key "snapshot"; bad names -LI_ERR_INVALID_ARGUMENT naming "name" or "new_name".
 */

/**
 * @brief Takes a snapshot of the running or stopped instance: its files, config, devices, profiles.
 * @param instance_snapshots_post_json LXD's `InstanceSnapshotsPost`: `{"name": "", "stateful": false,
 * "expires_at": ""}`; an empty name follows snapshots.pattern ("snap%d"), no expiry snapshots.expiry.
 * @param[out] out_json the snapshot as an LXD `InstanceSnapshot` document (free with li_free()); may be NULL.
 * @return -LI_ERR_ALREADY_EXISTS (key "name").
 * @since 0.1
 */
LI_EXPORT int li_instance_snapshot_create_json(char **out_json, li_instance *inst, const char *instance_snapshots_post_json,
                                               li_error **err);
/** @brief li_instance_snapshot_create_json() as an operation (cancellable). @since 0.1 */
LI_EXPORT int li_instance_snapshot_create_async(li_operation **out, li_instance *inst,
                                                const char *instance_snapshots_post_json, li_error **err);
/** @brief The snapshots, oldest first, as a JSON array of LXD `InstanceSnapshot` documents. @since 0.1 */
LI_EXPORT int li_instance_snapshot_list_json(char **out_json, li_instance *inst, li_error **err);
/** @brief One snapshot as an LXD `InstanceSnapshot` document. @since 0.1 */
LI_EXPORT int li_instance_snapshot_get_json(char **out_json, li_instance *inst, const char *snapshot, li_error **err);
/** @brief Changes a snapshot's expiry (LXD's `InstanceSnapshotPut`: `{"expires_at": ""}`). @since 0.1 */
LI_EXPORT int li_instance_snapshot_update_json(li_instance *inst, const char *snapshot,
                                               const char *instance_snapshot_put_json, li_error **err);
/** @brief Renames a snapshot; -LI_ERR_ALREADY_EXISTS (key "new_name"). @since 0.1 */
LI_EXPORT int li_instance_snapshot_rename(li_instance *inst, const char *snapshot, const char *new_name, li_error **err);
/** @brief Deletes a snapshot. @since 0.1 */
LI_EXPORT int li_instance_snapshot_delete(li_instance *inst, const char *snapshot, li_error **err);
/** @brief li_instance_snapshot_delete() as an operation. @since 0.1 */
LI_EXPORT int li_instance_snapshot_delete_async(li_operation **out, li_instance *inst, const char *snapshot,
                                                li_error **err);
/**
 * @brief Makes the instance what the snapshot holds again: files, config (volatile keys stay the
 * instance's), devices, profiles. A running instance is stopped, restored and started again.
 * @return -LI_ERR_NOT_FOUND (key "profiles") when a profile the snapshot names is gone. Nothing
 * changes on failure.
 * @since 0.1
 */
LI_EXPORT int li_instance_restore(li_instance *inst, const char *snapshot, li_error **err);
/** @brief li_instance_restore() as an operation (cancellable). @since 0.1 */
LI_EXPORT int li_instance_restore_async(li_operation **out, li_instance *inst, const char *snapshot, li_error **err);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Backups (`lxc export` / `lxc import`, LXD's .../backups) */
/**@{*/
/*
 * A backup is one file in LXD's layout (backup/index.yaml, backup/container/, backup/snapshots/;
 * backup/volume/ and backup/volume-snapshots/ for custom volumes), or btrfs send streams when
 * optimized. Export options are LXD's `InstanceBackupsPost` fields:
 * `{"instance_only": false, "optimized_storage": false, "compression_algorithm": "gzip"}` (NULL:
 * the defaults; volume_only is accepted for instance_only). Import options:
 * `{"name": "", "pool": ""}` ("" keeps the backup's).
 */

/**
 * @brief Writes the instance (and its snapshots unless instance_only) to a backup file at target,
 * streamed; the file appears only when complete.
 * @return -LI_ERR_INVALID_ARGUMENT (key "compression_algorithm"), -LI_ERR_NOT_SUPPORTED (key
 * "optimized_storage") off btrfs.
 * @since 0.1
 */
LI_EXPORT int li_instance_export_backup(li_instance *inst, const char *target, const char *options_json,
                                        li_error **err);
/** @brief li_instance_export_backup() as an operation (cancellable, progress "create_backup_progress"). @since 0.1 */
LI_EXPORT int li_instance_export_backup_async(li_operation **out, li_instance *inst, const char *target,
                                              const char *options_json, li_error **err);
/**
 * @brief Creates an instance from a backup file (libinstance's or LXD's, portable or optimized):
 * files with owners, modes and xattrs, config, devices, profiles, snapshots. Hostile archives fail
 * with -LI_ERR_INVALID_ARGUMENT naming the entry; nothing is left behind on failure.
 * @return -LI_ERR_ALREADY_EXISTS (key "name"), -LI_ERR_NOT_FOUND (key "pool" or "profiles").
 * @param[out] out the new instance; free with li_instance_free()
 * @since 0.1
 */
LI_EXPORT int li_instance_import_backup(li_instance **out, li_manager *mgr, const char *project, const char *path,
                                        const char *options_json, li_error **err);
/** @brief li_instance_import_backup() as an operation; metadata "name" once it succeeds. @since 0.1 */
LI_EXPORT int li_instance_import_backup_async(li_operation **out, li_manager *mgr, const char *project,
                                              const char *path, const char *options_json, li_error **err);
/** @brief Writes a custom volume (and its snapshots unless instance_only/volume_only) to a backup file. @since 0.1 */
LI_EXPORT int li_storage_volume_export_backup(li_manager *mgr, const char *project, const char *pool,
                                              const char *volume, const char *target, const char *options_json,
                                              li_error **err);
/**
 * @brief li_storage_volume_export_backup() as an operation ("Creating custom volume backup";
 * cancellable, progress "create_backup_progress"; a cancelled export leaves no file at target).
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_export_backup_async(li_operation **out, li_manager *mgr, const char *project,
                                                    const char *pool, const char *volume, const char *target,
                                                    const char *options_json, li_error **err);
/**
 * @brief Creates a custom volume on pool from a backup file (options' "pool" is ignored).
 * @param[out] out_json the new volume as an LXD `StorageVolume` document; free with li_free(); may be NULL.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_import_backup(char **out_json, li_manager *mgr, const char *project, const char *pool,
                                              const char *path, const char *options_json, li_error **err);
/**
 * @brief li_storage_volume_import_backup() as an operation ("Restoring custom volume backup";
 * cancellable, progress "create_volume_from_backup_progress"); metadata "name" once it succeeds.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_import_backup_async(li_operation **out, li_manager *mgr, const char *project,
                                                    const char *pool, const char *path, const char *options_json,
                                                    li_error **err);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Scheduled snapshots and disaster recovery */
/**@{*/

/**
 * @brief One pass of the snapshot scheduler as of now_unix (seconds since the epoch; 0 = now):
 * snapshots.schedule slots falling on that minute are taken (once per instance and slot, whoever
 * runs it), then expired snapshots are deleted. The manager also runs this itself every minute
 * (unless $LIBINSTANCE_SNAPSHOT_SCHEDULER is "0" when it opens). Schedules are in local time.
 * @param[out] out_json `{"taken": ["project/instance/snap"], "pruned": [...], "failed": ["project/instance: why"]}`;
 * free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_manager_run_snapshot_schedule(char **out_json, li_manager *mgr, int64_t now_unix, li_error **err);
/**
 * @brief One look of the image auto-update (LXD's periodic image refresh) as of now_unix (seconds
 * since the epoch; 0 = now): once images.auto_update_interval hours (default 6; 0: never) have
 * passed since the last pass recorded in the state directory (whichever process ran it), every
 * image with auto_update set that came from an image server, in every project, is refreshed as
 * li_image_refresh() does (cached ones only while images.auto_update_cached is true). The first
 * look at a state directory only starts the clock. A failing image does not stop the pass. The
 * manager also runs this itself every minute (unless $LIBINSTANCE_SNAPSHOT_SCHEDULER or
 * $LIBINSTANCE_BACKGROUND_JOBS is "0" when it opens). -LI_ERR_INVALID_ARGUMENT (key "now_unix")
 * for a negative now_unix.
 * @param[out] out_json `{"ran": true, "refreshed": [{"project": "", "old_fingerprint": "",
 * "new_fingerprint": "", "aliases": ["name"]}], "failed": ["project/fingerprint: why"]}` ("ran"
 * false: too early, interval 0 or the first look); free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_manager_run_image_auto_update(char **out_json, li_manager *mgr, int64_t now_unix, li_error **err);
/**
 * @brief The first-use set-up (LXD's `lxd init --auto`): a managed bridge with NAT and an `eth0`
 * nic on it in the default profile. Idempotent: an existing managed network of that name is
 * used as it is; a default profile that has an eth0 keeps it.
 * @param init_options_json NULL or `{"network_name": "instbr0", "ipv4_address": "auto",
 * "ipv6_address": "auto"}` (those are the defaults; "network_name": "" creates no network)
 * @param[out] out_json `{"network_created": true, "profile_nic_added": true, "network_name":
 * "instbr0"}`; free with li_free(). May be NULL.
 * @return -LI_ERR_INVALID_ARGUMENT naming "network_name", "ipv4_address" or "ipv6_address";
 * -LI_ERR_ALREADY_EXISTS (key "network_name") for an unmanaged host interface of that name.
 * @since 0.1
 */
LI_EXPORT int li_manager_init(char **out_json, li_manager *mgr, const char *init_options_json, li_error **err);
/**
 * @brief Scans the storage pools for instances, snapshots and custom volumes the database does
 * not know (`lxd recover`). Changes nothing.
 * @param options_json `{"pools": [StoragePoolsPost...]}`: pools to scan besides the known ones and
 * those under the state directory; NULL for none.
 * @param[out] out_json `{"unknown_pools": ["name"], "unknown_volumes": [{"pool": "", "project": "",
 * "type": "container", "name": "", "snapshot_count": 0}], "dependency_errors": ["..."]}`; free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_manager_recover_validate(char **out_json, li_manager *mgr, const char *options_json, li_error **err);
/**
 * @brief Scans as li_manager_recover_validate() does and recreates the records of what it found;
 * -LI_ERR_INVALID_ARGUMENT (key "dependencies") while dependency errors remain.
 * @param[out] out_json what was imported, in li_manager_recover_validate()'s shape; free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_manager_recover_import(char **out_json, li_manager *mgr, const char *options_json, li_error **err);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Instance configuration (LXD's PUT /1.0/instances/NAME and `lxc config`) */
/**@{*/
/*
 * Every change is validated as a whole before anything is applied, and a refused change leaves
 * the instance exactly as it was. A bad key or value fails with LI_ERR_INVALID_ARGUMENT whose
 * li_error_key() is "config.<key>" (e.g. "config.limits.memory") or "devices.<name>[.<key>]",
 * and whose message quotes the value. On a running instance, live keys and hot-pluggable devices
 * apply at once and the rest at the next start.
 */

/**
 * @brief Replaces the instance's writable configuration with an LXD `InstancePut` document
 * (`{"config":{...},"devices":{...},"profiles":[...],"description":"","ephemeral":false}`);
 * absent fields are emptied, as in LXD's PUT. volatile.* keys may be sent back unchanged (as
 * li_instance_get_json() gave them) and are kept; changing one is LI_ERR_INVALID_ARGUMENT.
 * @param if_match an ETag from li_instance_etag(): LI_ERR_CONFLICT when the instance
 * changed since; NULL or "" to replace unconditionally
 * @return LI_ERR_NOT_FOUND for an unknown profile
 * @since 0.1
 */
LI_EXPORT int li_instance_update_json(li_instance *inst, const char *instance_put_json, const char *if_match,
                                      li_error **err);
/** @brief li_instance_update_json() as an operation (a malformed document fails this call itself). @since 0.1 */
LI_EXPORT int li_instance_update_json_async(li_operation **out, li_instance *inst, const char *instance_put_json,
                                            const char *if_match, li_error **err);
/**
 * @brief The ETag of the instance's writable configuration (what LXD sends in its ETag header),
 * for li_instance_update_json()'s if_match.
 * @param[out] out free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_instance_etag(char **out, li_instance *inst, li_error **err);
/**
 * @brief The value of a key of the instance's own configuration (not the expanded one, so not
 * what profiles set; read "expanded_config" of li_instance_get_json() for that).
 * @param[out] out the value, free with li_free(); set to NULL (and 0 returned) when the key is
 * not set, so that an unset key and a key set to "" are told apart
 * @since 0.1
 */
LI_EXPORT int li_instance_config_get(char **out, li_instance *inst, const char *key, li_error **err);
/** @brief Sets one configuration key (`lxc config set`); "" unsets it. @since 0.1 */
LI_EXPORT int li_instance_config_set(li_instance *inst, const char *key, const char *value, li_error **err);
/**
 * @brief Sets several keys in one change from a JSON object of strings, e.g.
 * `{"limits.memory":"256MiB","user.a":""}`; "" unsets a key. All or nothing.
 * @return LI_ERR_INVALID_ARGUMENT (key "config" or "config.<key>") for a non-object or a value
 * that is not a string
 * @since 0.1
 */
LI_EXPORT int li_instance_config_set_json(li_instance *inst, const char *config_json, li_error **err);
/** @brief Unsets a key; LI_ERR_NOT_FOUND (naming the key) when it is not set. @since 0.1 */
LI_EXPORT int li_instance_config_unset(li_instance *inst, const char *key, li_error **err);
/**
 * @brief Adds a device from a JSON object of strings, e.g.
 * `{"type":"disk","source":"/srv/data","path":"/mnt/data"}` (`lxc config device add`).
 * @return LI_ERR_ALREADY_EXISTS when the instance has a device of that name
 * @since 0.1
 */
LI_EXPORT int li_instance_device_add_json(li_instance *inst, const char *name, const char *device_json,
                                          li_error **err);
/** @brief Adds the device, or replaces the instance's device of that name as a whole. @since 0.1 */
LI_EXPORT int li_instance_device_set_json(li_instance *inst, const char *name, const char *device_json,
                                          li_error **err);
/**
 * @brief Removes one of the instance's own devices. LI_ERR_NOT_FOUND (naming it) when
 * it has none of that name (a device inherited from a profile is masked with `{"type":"none"}`).
 * @since 0.1
 */
LI_EXPORT int li_instance_device_remove(li_instance *inst, const char *name, li_error **err);

/**@}*/
/* ------------------------------------------------------------------------------------------ */
/** @name Events and logging */
/**@{*/

/**
 * @brief Receives one event as an LXD event JSON document
 * (`{"type": "lifecycle"|"operation"|"logging", "timestamp", "project", "location", "metadata"}`).
 * Called on a library thread owned by the subscription, one event at a time and in order; the
 * string is borrowed for the call. A slow callback never blocks the library: events queue, and
 * past the queue size they are dropped and counted (li_subscription_dropped()).
 * @since 0.1
 */
typedef void (*li_event_cb)(const char *event_json, void *payload);
/** @brief Frees a subscription's payload, once, after its last callback. @since 0.1 */
typedef void (*li_free_cb)(void *payload);

/** @brief A live event subscription. Free with li_subscription_free(). @since 0.1 */
typedef struct li_subscription li_subscription;

#define LI_SUBSCRIBE_OPTS_VERSION 1
/** @brief Options of li_manager_subscribe(). @since 0.1 */
typedef struct li_subscribe_opts {
    unsigned int version;  /**< LI_SUBSCRIBE_OPTS_VERSION */
    const char *types;     /**< comma-separated "lifecycle,operation,logging"; NULL: all */
    const char *project;   /**< NULL or "": default */
    int all_projects;      /**< non-zero: every project */
    const char *log_level; /**< lowest level of logging events (debug, info, warn, error); NULL: info */
    size_t queue_size;     /**< events buffered before dropping; 0: 1024 */
} li_subscribe_opts;
#define LI_SUBSCRIBE_OPTS_INIT { LI_SUBSCRIBE_OPTS_VERSION, NULL, NULL, 0, NULL, 0 }

/**
 * @brief Subscribes to the manager's events.
 * @param cb called for each event (see ::li_event_cb)
 * @param payload passed to cb and to free_payload
 * @param free_payload called once when the subscription ends (may be NULL); when this call fails it
 * is not called and the payload stays the caller's
 * @since 0.1
 */
LI_EXPORT int li_manager_subscribe(li_subscription **out, li_manager *mgr, const li_subscribe_opts *opts,
                                   li_event_cb cb, void *payload, li_free_cb free_payload, li_error **err);
/** @brief Events dropped so far because the subscription's queue was full. @since 0.1 */
LI_EXPORT uint64_t li_subscription_dropped(const li_subscription *sub);
/**
 * @brief Ends the subscription: waits for a callback in progress (unless called from inside the
 * callback), then calls free_payload. NULL-safe. @since 0.1
 */
LI_EXPORT void li_subscription_free(li_subscription *sub);

/**
 * @brief Where the library's log records go besides logging events.
 * @param level debug, info, warn or error (NULL: warn)
 * @param file NULL or "": stderr; "none": nowhere; else a file appended to
 * @since 0.1
 */
LI_EXPORT int li_manager_set_log(li_manager *mgr, const char *level, const char *file, li_error **err);

/**
 * @brief Stops every running instance as a host shutdown does (LXD's `lxd shutdown`): higher
 * boot.stop.priority first, each given boot.host_shutdown_timeout seconds (default 30) to halt
 * cleanly before it is killed. They stay marked as running: the first li_manager_open() after the
 * next host boot starts them again, with those that have boot.autostart=true (by
 * boot.autostart.priority, waiting boot.autostart.delay seconds after each).
 * @since 0.1
 */
LI_EXPORT int li_manager_shutdown_instances(li_manager *mgr, li_error **err);
/** @brief li_manager_shutdown_instances() as an operation ("Stopping instances"). @since 0.1 */
LI_EXPORT int li_manager_shutdown_instances_async(li_operation **out, li_manager *mgr, li_error **err);

/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Storage pools (LXD's /1.0/storage-pools) */
/**@{*/

/**
 * @brief Creates and mounts a storage pool.
 * @param storage_pools_post_json LXD's `StoragePoolsPost`: `{"name": "fast", "driver": "btrfs",
 * "description": "", "config": {"size": "5GiB"}}`. Drivers: `dir` (key `source`, a directory;
 * instances are overlayfs layers over the image) and `btrfs` (keys `source`, `size`,
 * `btrfs.mount_options`; with no source a sparse loop file `<state>/disks/<name>.img` of `size`,
 * default 5GiB, or `source` an existing btrfs directory; instances are subvolume snapshots).
 * @param[out] out_json the pool as an LXD `StoragePool` document with the driver's defaults
 * filled in; free with li_free(). May be NULL.
 * @return -LI_ERR_INVALID_ARGUMENT whose key names the bad field or config key;
 * -LI_ERR_NOT_SUPPORTED (key "driver") for an unknown driver; -LI_ERR_ALREADY_EXISTS (key "name").
 * @since 0.1
 */
LI_EXPORT int li_storage_pool_create_json(char **out_json, li_manager *mgr, const char *storage_pools_post_json,
                                          li_error **err);
/** @brief All storage pools as a JSON array of LXD `StoragePool` documents. @since 0.1 */
LI_EXPORT int li_storage_pool_list_json(char **out_json, li_manager *mgr, li_error **err);
/** @brief One storage pool as an LXD `StoragePool` document; LI_ERR_NOT_FOUND when unknown. @since 0.1 */
LI_EXPORT int li_storage_pool_get_json(char **out_json, li_manager *mgr, const char *name, li_error **err);
/**
 * @brief Deletes a storage pool (its loop file too) with the image volumes unpacked on it.
 * @return -LI_ERR_BUSY (key "name") while instances or profiles use it; the message names them.
 * @since 0.1
 */
LI_EXPORT int li_storage_pool_delete(li_manager *mgr, const char *name, li_error **err);
/** @brief The pool's ETag (hash of its description and config) for li_storage_pool_update_json(); free with li_free(). @since 0.1 */
LI_EXPORT int li_storage_pool_etag(char **out_etag, li_manager *mgr, const char *name, li_error **err);
/**
 * @brief Replaces a storage pool's description and config (LXD's PUT) and emits
 * storage-pool-updated. Keys the driver filled in (`source`, `size`) keep their value when left
 * out. `dir`: only the description can change. `btrfs`: `size` of a loop-backed pool may grow
 * (online: loop file, loop device and file system), `btrfs.mount_options` remounts the pool.
 * @param storage_pool_put_json LXD's `StoragePoolPut`: `{"description": "", "config": {"size": "8GiB"}}`
 * (a whole `StoragePool` is accepted)
 * @param if_match NULL or "": no check; else -LI_ERR_CONFLICT (key "etag") unless it is the
 * pool's current ETag (li_storage_pool_etag())
 * @return -LI_ERR_INVALID_ARGUMENT whose key names the config key for an unknown key, a bad value,
 * a key that cannot change or a shrink (key "size"); nothing changes then.
 * @since 0.1
 */
LI_EXPORT int li_storage_pool_update_json(li_manager *mgr, const char *name, const char *storage_pool_put_json,
                                          const char *if_match, li_error **err);
/**
 * @brief A pool's space and inodes as LXD's `ResourcesStoragePool`:
 * `{"space": {"used": N, "total": N}, "inodes": {"used": N, "total": N}}` (bytes; inodes 0 where
 * the file system does not count them, e.g. btrfs).
 * @param[out] out_json free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_storage_pool_resources_json(char **out_json, li_manager *mgr, const char *name, li_error **err);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Storage volumes (LXD's /1.0/storage-pools/<pool>/volumes); project NULL or "" is the default project */
/**@{*/

/**
 * @brief Creates an empty custom volume (filesystem or block) on a pool and emits storage-volume-created.
 * @param storage_volumes_post_json LXD's `StorageVolumesPost`: `{"name": "data", "type": "custom",
 * "content_type": "filesystem", "description": "", "config": {"size": "1GiB"}}`; content_type "block"
 * makes a sparse disk image of `size` (10GiB by default) that only a virtual machine takes as a disk
 * device (a container refuses it, key "devices.<name>.source"). Config keys:
 * `size` (a quota; -LI_ERR_NOT_SUPPORTED naming "config.size" on pools that cannot enforce one,
 * e.g. dir), `security.shifted` (attached through an idmapped mount), `security.unmapped`, `user.*`.
 * @param[out] out_json the volume as an LXD `StorageVolume` document; free with li_free(). May be NULL.
 * @return -LI_ERR_INVALID_ARGUMENT naming "name", "type", "content_type" or "config.<key>";
 * -LI_ERR_NOT_FOUND (key "pool"); -LI_ERR_ALREADY_EXISTS (key "name"). Nothing is left on failure.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_create_json(char **out_json, li_manager *mgr, const char *project, const char *pool,
                                            const char *storage_volumes_post_json, li_error **err);
/**
 * @brief li_storage_volume_create_json() as an operation: "Copying storage volume" for a copy
 * (cancellable, progress "fs_progress"; a cancelled copy leaves no target), else "Creating storage
 * volume"; metadata "name" once it succeeds. A bad name, type or content_type fails at once.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_create_json_async(li_operation **out, li_manager *mgr, const char *project,
                                                  const char *pool, const char *storage_volumes_post_json,
                                                  li_error **err);
/**
 * @brief The volumes of a pool in the project as a JSON array of LXD `StorageVolume` documents:
 * custom volumes, the instances' ("container") volumes and the image volumes unpacked on it.
 * @return -LI_ERR_NOT_FOUND (key "pool") for an unknown pool.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_list_json(char **out_json, li_manager *mgr, const char *project, const char *pool,
                                          li_error **err);
/**
 * @brief One volume as an LXD `StorageVolume` document (`used_by`: the instances and profiles
 * attaching it). @p type is "custom", "container" or "image".
 * @return -LI_ERR_NOT_FOUND (key "pool" or "name"); -LI_ERR_INVALID_ARGUMENT (key "type").
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_get_json(char **out_json, li_manager *mgr, const char *project, const char *pool,
                                         const char *type, const char *name, li_error **err);
/**
 * @brief Replaces a custom volume's description and config (LXD's PUT `StorageVolumePut`:
 * `{"description": "", "config": {}}`); a new `size` is applied at once. Emits storage-volume-updated.
 * @return -LI_ERR_INVALID_ARGUMENT naming "config.<key>"; -LI_ERR_NOT_FOUND (key "pool" or "name").
 * Nothing changes on failure.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_update_json(li_manager *mgr, const char *project, const char *pool, const char *name,
                                            const char *storage_volume_put_json, li_error **err);
/**
 * @brief Renames a custom volume and emits storage-volume-renamed.
 * @return -LI_ERR_BUSY (key "name") while instances or profiles attach it (the message names them);
 * -LI_ERR_ALREADY_EXISTS (key "new_name"); -LI_ERR_INVALID_ARGUMENT (key "new_name") for a bad name.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_rename(li_manager *mgr, const char *project, const char *pool, const char *name,
                                       const char *new_name, li_error **err);
/**
 * @brief Deletes a custom volume with its files and emits storage-volume-deleted.
 * @return -LI_ERR_BUSY (key "name") while instances or profiles attach it (the message names them);
 * -LI_ERR_NOT_FOUND (key "pool" or "name").
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_delete(li_manager *mgr, const char *project, const char *pool, const char *name,
                                       li_error **err);
/**
 * @brief LXD's POST on a custom volume: renames it, or moves it with its snapshots to another pool.
 * A copy is li_storage_volume_create_json() with `"source": {"type": "copy", "pool": "p",
 * "name": "v", "volume_only": false}` (same pool or another one; with the snapshots unless volume_only).
 * @param storage_volume_post_json LXD's `StorageVolumePost`: `{"name": "new", "pool": "other"}`
 * (an empty or unchanged pool renames within the pool).
 * @return -LI_ERR_BUSY (key "name") while instances or profiles attach it; -LI_ERR_NOT_FOUND (key
 * "pool" or "name"); -LI_ERR_ALREADY_EXISTS (key "name"). A failed move changes nothing.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_move_json(li_manager *mgr, const char *project, const char *pool, const char *name,
                                          const char *storage_volume_post_json, li_error **err);
/**
 * @brief li_storage_volume_move_json() as an operation ("Moving storage volume"; cancellable until
 * the target is recorded, progress "fs_progress"; a cancelled move leaves the source as it was and
 * no target). Metadata "name" and "pool": where the volume is once it succeeds.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_move_json_async(li_operation **out, li_manager *mgr, const char *project,
                                                const char *pool, const char *name,
                                                const char *storage_volume_post_json, li_error **err);
/**
 * @brief Takes a snapshot of a custom volume (copy-on-write on btrfs, a copy on dir); emits
 * storage-volume-snapshot-created.
 * @param storage_volume_snapshots_post_json LXD's `StorageVolumeSnapshotsPost`: `{"name": "snap0",
 * "expires_at": ""}`; an empty name picks the next free "snapN".
 * @param[out] out_json the snapshot as an LXD `StorageVolumeSnapshot` document; free with li_free(). May be NULL.
 * @return -LI_ERR_ALREADY_EXISTS (key "name"); -LI_ERR_INVALID_ARGUMENT (key "name" or "expires_at");
 * -LI_ERR_NOT_FOUND (key "pool" or "name").
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_snapshot_create_json(char **out_json, li_manager *mgr, const char *project,
                                                     const char *pool, const char *volume,
                                                     const char *storage_volume_snapshots_post_json, li_error **err);
/**
 * @brief A custom volume's snapshots, oldest first, as a JSON array of LXD `StorageVolumeSnapshot` documents.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_snapshot_list_json(char **out_json, li_manager *mgr, const char *project,
                                                   const char *pool, const char *volume, li_error **err);
/**
 * @brief One snapshot as an LXD `StorageVolumeSnapshot` document.
 * @return -LI_ERR_NOT_FOUND (key "snapshot", "name" or "pool").
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_snapshot_get_json(char **out_json, li_manager *mgr, const char *project,
                                                  const char *pool, const char *volume, const char *snapshot,
                                                  li_error **err);
/**
 * @brief Replaces a snapshot's description and expiry (LXD's `StorageVolumeSnapshotPut`:
 * `{"description": "", "expires_at": ""}`); emits storage-volume-snapshot-updated.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_snapshot_update_json(li_manager *mgr, const char *project, const char *pool,
                                                     const char *volume, const char *snapshot,
                                                     const char *storage_volume_snapshot_put_json, li_error **err);
/**
 * @brief Renames a snapshot; emits storage-volume-snapshot-renamed.
 * @return -LI_ERR_ALREADY_EXISTS or -LI_ERR_INVALID_ARGUMENT (key "new_name").
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_snapshot_rename(li_manager *mgr, const char *project, const char *pool,
                                                const char *volume, const char *snapshot, const char *new_name,
                                                li_error **err);
/**
 * @brief Deletes a snapshot; emits storage-volume-snapshot-deleted.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_snapshot_delete(li_manager *mgr, const char *project, const char *pool,
                                                const char *volume, const char *snapshot, li_error **err);
/**
 * @brief Makes the volume's content the snapshot's again (the snapshot stays); emits storage-volume-restored.
 * @return -LI_ERR_BUSY (key "name") while a running instance has the volume attached.
 * @since 0.1
 */
LI_EXPORT int li_storage_volume_snapshot_restore(li_manager *mgr, const char *project, const char *pool,
                                                 const char *volume, const char *snapshot, li_error **err);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Profiles (LXD's /1.0/profiles); project NULL or "" is the default project */
/**@{*/

/**
 * @brief Creates a profile and emits profile-created.
 * @param profiles_post_json LXD's `ProfilesPost`: `{"name": "p1", "description": "",
 * "config": {"environment.FOO": "bar"}, "devices": {"data": {"type": "disk", ...}}}`
 * @param[out] out_json the profile as an LXD `Profile` document; free with li_free(). May be NULL.
 * @return -LI_ERR_INVALID_ARGUMENT whose key names the bad field ("name", "config.<key>",
 * "devices.<name>[.<key>]"); -LI_ERR_ALREADY_EXISTS (key "name").
 * @since 0.1
 */
LI_EXPORT int li_profile_create_json(char **out_json, li_manager *mgr, const char *project,
                                     const char *profiles_post_json, li_error **err);
/**
 * @brief One profile as an LXD `Profile` document (`used_by` lists "/1.0/instances/NAME" URLs,
 * with "?project=P" outside the default project); LI_ERR_NOT_FOUND when unknown.
 * @param[out] out_json free with li_free()
 * @param[out] out_etag the profile's ETag for li_profile_update_json(); free with li_free(). May be NULL.
 * @since 0.1
 */
LI_EXPORT int li_profile_get_json(char **out_json, char **out_etag, li_manager *mgr, const char *project,
                                  const char *name, li_error **err);
/** @brief The profiles of a project as a JSON array of LXD `Profile` documents, by name. @since 0.1 */
LI_EXPORT int li_profile_list_json(char **out_json, li_manager *mgr, const char *project, li_error **err);
/**
 * @brief Replaces a profile's description, config and devices (LXD's PUT) and emits profile-updated.
 * The change is checked against every instance using the profile as it would be expanded
 * afterwards; a refusal (e.g. no root disk left) names the instance and changes nothing. Running
 * instances get the change live; if that fails for one, the profile keeps the change (as in LXD)
 * and the call fails with a message naming each instance that could not apply it.
 * @param profile_put_json LXD's `ProfilePut` (a whole `Profile` is accepted)
 * @param if_match NULL or "": no check; else -LI_ERR_CONFLICT (key "etag") unless it is the
 * profile's current ETag
 * @since 0.1
 */
LI_EXPORT int li_profile_update_json(li_manager *mgr, const char *project, const char *name,
                                     const char *profile_put_json, const char *if_match, li_error **err);
/**
 * @brief Renames a profile; its instances keep using it. Emits profile-renamed.
 * @return -LI_ERR_INVALID_ARGUMENT (key "name") for "default" or (key "new_name") for a bad name;
 * -LI_ERR_ALREADY_EXISTS (key "new_name") when taken.
 * @since 0.1
 */
LI_EXPORT int li_profile_rename(li_manager *mgr, const char *project, const char *name, const char *new_name,
                                li_error **err);
/**
 * @brief Deletes a profile and emits profile-deleted.
 * @return -LI_ERR_INVALID_ARGUMENT (key "name") for "default"; -LI_ERR_CONFLICT (key "name")
 * while instances use it, the message naming them.
 * @since 0.1
 */
LI_EXPORT int li_profile_delete(li_manager *mgr, const char *project, const char *name, li_error **err);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Projects (LXD's /1.0/projects)
 * Every other call takes its project explicitly (NULL or "" is `default`); a project that does
 * not exist is -LI_ERR_NOT_FOUND with key "project" there. Limits (limits.*) refuse a change that
 * would exceed them with -LI_ERR_INVALID_ARGUMENT whose key is the limit ("limits.instances") and
 * whose message gives the limit and the current use; restrictions (restricted=true and
 * restricted.*) refuse forbidden config or devices with -LI_ERR_PERMISSION_DENIED whose key names
 * the offending field ("config.security.privileged", "devices.<name>"). See li::ProjectStore. */
/**@{*/

/**
 * @brief Creates a project and emits project-created.
 * @param projects_post_json LXD's `ProjectsPost`: `{"name": "p1", "description": "", "config":
 * {"features.images": "false", "limits.instances": "5"}}`. Unset features get LXD's defaults
 * (images, profiles, storage.volumes "true"; networks "false").
 * @param[out] out_json the project as an LXD `Project` document; free with li_free(). May be NULL.
 * @return -LI_ERR_INVALID_ARGUMENT whose key names the bad field ("name", "config.<key>");
 * -LI_ERR_ALREADY_EXISTS (key "name").
 * @since 0.1
 */
LI_EXPORT int li_project_create_json(char **out_json, li_manager *mgr, const char *projects_post_json,
                                     li_error **err);
/**
 * @brief One project as an LXD `Project` document (`used_by` lists the URLs of its instances,
 * images, profiles, custom volumes and networks); -LI_ERR_NOT_FOUND (key "name") when unknown.
 * @param[out] out_json free with li_free()
 * @param[out] out_etag the project's ETag for li_project_update_json(); free with li_free(). May be NULL.
 * @since 0.1
 */
LI_EXPORT int li_project_get_json(char **out_json, char **out_etag, li_manager *mgr, const char *name,
                                  li_error **err);
/** @brief Every project as a JSON array of LXD `Project` documents, by name. @since 0.1 */
LI_EXPORT int li_project_list_json(char **out_json, li_manager *mgr, li_error **err);
/**
 * @brief Replaces a project's description and config (LXD's PUT) and emits project-updated.
 * @param project_put_json LXD's `ProjectPut` (a whole `Project` is accepted)
 * @param if_match NULL or "": no check; else -LI_ERR_CONFLICT (key "etag") unless it is the
 * project's current ETag
 * @return -LI_ERR_INVALID_ARGUMENT ("config.<key>") for a bad key or value, a feature change on
 * `default`, or a limit below the current use (the message names the use); -LI_ERR_CONFLICT
 * ("config.features.<f>") for a feature change on a project that is not empty;
 * -LI_ERR_PERMISSION_DENIED when what the project holds breaks a new restriction. Nothing changes.
 * @since 0.1
 */
LI_EXPORT int li_project_update_json(li_manager *mgr, const char *name, const char *project_put_json,
                                     const char *if_match, li_error **err);
/**
 * @brief Renames an empty project and emits project-renamed.
 * @return -LI_ERR_INVALID_ARGUMENT (key "name") for "default" or (key "new_name") for a bad name;
 * -LI_ERR_ALREADY_EXISTS (key "new_name"); -LI_ERR_CONFLICT (key "name") when not empty.
 * @since 0.1
 */
LI_EXPORT int li_project_rename(li_manager *mgr, const char *name, const char *new_name, li_error **err);
/**
 * @brief Deletes an empty project and emits project-deleted.
 * @return -LI_ERR_INVALID_ARGUMENT (key "name") for "default"; -LI_ERR_CONFLICT (key "name") when
 * not empty, the message naming what remains.
 * @since 0.1
 */
LI_EXPORT int li_project_delete(li_manager *mgr, const char *name, li_error **err);
/**
 * @brief What a project uses against its limits, as LXD's `ProjectState`:
 * `{"resources": {"instances": {"Limit": 5, "Usage": 2}, "containers": ..., "virtual-machines":
 * ..., "cpu": ..., "memory": ..., "processes": ..., "disk": ..., "networks": ...}}` (Limit -1:
 * none; memory and disk in bytes).
 * @param[out] out_json free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_project_state_json(char **out_json, li_manager *mgr, const char *name, li_error **err);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Networks (LXD's /1.0/networks); project NULL or "" is the default project */
/**@{*/

/**
 * @brief Creates and starts a managed network and emits network-created.
 * Types: "bridge" (a Linux bridge with ipv4.address/ipv6.address (CIDR, "auto", "none"),
 * ipv4.nat/ipv6.nat, ipv4.dhcp, ipv4.dhcp.ranges, ipv6.dhcp.stateful, dns.domain, dns.mode,
 * bridge.mtu, bridge.hwaddr, raw.dnsmasq, tunnel.NAME.protocol|local|remote|id|port|ttl; one
 * supervised dnsmasq per bridge gives DHCP and DNS), "macvlan" and "physical" (parent, mtu, vlan).
 * @param networks_post_json LXD's `NetworksPost`: `{"name": "br0", "description": "", "type":
 * "bridge", "config": {"ipv4.address": "auto", "ipv4.nat": "true"}}`
 * @param[out] out_json the network as an LXD `Network` document with generated values filled in
 * (e.g. the chosen ipv4.address); free with li_free(). May be NULL.
 * @return -LI_ERR_INVALID_ARGUMENT whose key names the field ("name", "config.<key>"; an
 * overlapping subnet names the other network or route); -LI_ERR_NOT_SUPPORTED (key "type");
 * -LI_ERR_ALREADY_EXISTS (key "name") when a network or host interface has the name. A failed
 * create leaves no interface, firewall table, dnsmasq or record behind.
 * @since 0.1
 */
LI_EXPORT int li_network_create_json(char **out_json, li_manager *mgr, const char *project,
                                     const char *networks_post_json, li_error **err);
/**
 * @brief One network as an LXD `Network` document (host interfaces libinstance does not manage
 * are shown with managed false); -LI_ERR_NOT_FOUND (key "name") when unknown.
 * @param[out] out_json free with li_free()
 * @param[out] out_etag the network's ETag for li_network_update_json(); free with li_free(). May be NULL.
 * @since 0.1
 */
LI_EXPORT int li_network_get_json(char **out_json, char **out_etag, li_manager *mgr, const char *project,
                                  const char *name, li_error **err);
/** @brief Managed networks and the host's other interfaces as a JSON array of LXD `Network`
 * documents, by name. @since 0.1 */
LI_EXPORT int li_network_list_json(char **out_json, li_manager *mgr, const char *project, li_error **err);
/**
 * @brief Replaces a managed network's description and config (LXD's PUT), applies it to the
 * running network (addresses, NAT, dnsmasq, tunnels) and emits network-updated. A refused config
 * changes nothing.
 * @param network_put_json LXD's `NetworkPut` (a whole `Network` is accepted)
 * @param if_match NULL or "": no check; else -LI_ERR_CONFLICT (key "etag") unless it is the
 * network's current ETag
 * @return -LI_ERR_INVALID_ARGUMENT naming "config.<key>", or "name" for an unmanaged interface
 * @since 0.1
 */
LI_EXPORT int li_network_update_json(li_manager *mgr, const char *project, const char *name,
                                     const char *network_put_json, const char *if_match, li_error **err);
/**
 * @brief Renames a managed network that nothing uses and emits network-renamed.
 * @return -LI_ERR_BUSY (key "name") naming its users; -LI_ERR_ALREADY_EXISTS (key "new_name").
 * @since 0.1
 */
LI_EXPORT int li_network_rename(li_manager *mgr, const char *project, const char *name, const char *new_name,
                                li_error **err);
/**
 * @brief Deletes a managed network (its interface, firewall table and dnsmasq) and emits
 * network-deleted.
 * @return -LI_ERR_BUSY (key "name") while instances or profiles use it, naming them.
 * @since 0.1
 */
LI_EXPORT int li_network_delete(li_manager *mgr, const char *project, const char *name, li_error **err);
/**
 * @brief A network's LXD `NetworkState`: addresses, counters, hwaddr, mtu, state, type and, for
 * bridges, the bridge members ("bridge": {"upper_devices": [...]}).
 * @param[out] out_json free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_network_state_json(char **out_json, li_manager *mgr, const char *project, const char *name,
                                    li_error **err);
/**
 * @brief A managed bridge's DHCP leases and static reservations as a JSON array of LXD
 * `NetworkLease` documents (`{"hostname": "c1", "hwaddr": "00:16:3e:..", "address": "10.0.0.5",
 * "type": "static"|"dynamic", "location": "none"}`), hostname being the instance's name.
 * @param[out] out_json free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_network_leases_json(char **out_json, li_manager *mgr, const char *project, const char *name,
                                     li_error **err);
/**@}*/

/* ------------------------------------------------------------------------------------------ */
/** @name Remotes: image servers (simplestreams over HTTPS) */
/**@{*/

/**
 * @brief Adds a remote (kept in the state directory, like lxc's remotes).
 * @param remote_json `{"name": "srv", "url": "https://host[:port]", "protocol": "simplestreams",
 * "public": true, "certificate": "-----BEGIN CERTIFICATE-----..."}`. The optional PEM certificate
 * is trusted for this server instead of the system CAs (TLS verification is always on).
 * @return -LI_ERR_INVALID_ARGUMENT naming "name", "url", "protocol" or "certificate";
 * -LI_ERR_ALREADY_EXISTS when the name is taken. Names: 1-64 of [A-Za-z0-9._-], "local" reserved.
 * @since 0.1
 */
LI_EXPORT int li_remote_add(li_manager *mgr, const char *remote_json, li_error **err);
/**
 * @brief Adds an "lxd" remote (a daemon: instanced or LXD) with a trust token made on it
 * (`lxc config trust add`), as `lxc remote add NAME TOKEN` does: the server's certificate must have
 * the token's fingerprint (checked before the secret is sent), this state directory's client
 * certificate (`client.crt`, made on first use) becomes trusted there, and the server's
 * certificate is pinned in the remote.
 * @param remote_json as for li_remote_add(); "url" may be left out (the token's first address).
 * @return -LI_ERR_INVALID_ARGUMENT naming "token" for a token that does not decode;
 * -LI_ERR_PERMISSION_DENIED naming "token" for a fingerprint mismatch or a token the server
 * refuses (used, cancelled, forged).
 * @since 0.1
 */
LI_EXPORT int li_remote_add_with_token(li_manager *mgr, const char *remote_json, const char *token, li_error **err);
/**
 * @brief Opens a manager connected to an "lxd" remote of mgr: its calls go to the daemon over the
 * LXD REST API (instances, their config and snapshots, projects, operations, server config; the
 * rest fails with -LI_ERR_NOT_SUPPORTED for now, see docs/design/0009-remote-manager.md). Close it
 * with li_manager_free(); its state directory is "".
 * @return -LI_ERR_INVALID_ARGUMENT naming "name" for an image server; -LI_ERR_PERMISSION_DENIED
 * when the daemon does not trust this client.
 * @since 0.1
 */
LI_EXPORT int li_remote_connect(li_manager **out, li_manager *mgr, const char *name, li_error **err);
/** @brief All remotes as a JSON array of remote documents (see li_remote_add()). @since 0.1 */
LI_EXPORT int li_remote_list_json(char **out_json, li_manager *mgr, li_error **err);
/** @brief One remote by name; LI_ERR_NOT_FOUND when unknown. @since 0.1 */
LI_EXPORT int li_remote_get_json(char **out_json, li_manager *mgr, const char *name, li_error **err);
/** @brief Removes a remote (images pulled from it stay). @since 0.1 */
LI_EXPORT int li_remote_remove(li_manager *mgr, const char *name, li_error **err);
/** @brief Renames a remote; LI_ERR_ALREADY_EXISTS (key "new_name") when taken. @since 0.1 */
LI_EXPORT int li_remote_rename(li_manager *mgr, const char *name, const char *new_name, li_error **err);
/**
 * @brief The images a remote offers for this host's architecture (newest version of each
 * product), as a JSON array of LXD `Image` documents with the server's aliases.
 * @since 0.1
 */
LI_EXPORT int li_remote_image_list_json(char **out_json, li_manager *mgr, const char *remote, li_error **err);
/**
 * @brief Copies an image from an image server into the store (LXD's `POST /1.0/images` with a
 * pull source). Every downloaded file's sha256 is checked before anything is stored.
 * @param images_post_json `{"source": {"server": "https://..." or a remote's name, "protocol":
 * "simplestreams", "alias": "a" or "fingerprint": "f", "certificate": PEM}, "aliases":
 * [{"name": "x"}], "public": false, "auto_update": false, "copy_aliases": false}`
 * @param[out] out_json the image as an LXD `Image` document; free with li_free()
 * @since 0.1
 */
LI_EXPORT int li_image_copy_from_remote(char **out_json, li_manager *mgr, const char *project,
                                        const char *images_post_json, li_error **err);
/**
 * @brief li_image_copy_from_remote() as an operation: progress in metadata "download_progress"
 * ("rootfs: 45% (1.20MB/s)"), "fingerprint" on success; cancelling leaves nothing behind.
 * @since 0.1
 */
LI_EXPORT int li_image_copy_from_remote_async(li_operation **out, li_manager *mgr, const char *project,
                                              const char *images_post_json, li_error **err);
/**
 * @brief Refreshes an image pulled from a server: when the server has a newer version of the alias
 * it came from, that version replaces it (aliases move, "image-refreshed" event).
 * @param[out] out_json the current image (the same one when it was up to date)
 * @return -LI_ERR_INVALID_ARGUMENT (key "image") for an image that was not pulled from a server.
 * @since 0.1
 */
LI_EXPORT int li_image_refresh(char **out_json, li_manager *mgr, const char *project, const char *ref,
                               li_error **err);
/** @brief li_image_refresh() as an operation; metadata "fingerprint" and "refreshed" ("true"/"false"). @since 0.1 */
LI_EXPORT int li_image_refresh_async(li_operation **out, li_manager *mgr, const char *project, const char *ref,
                                     li_error **err);

/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* LIBINSTANCE_H */
