//! Running commands inside a running instance.

use std::ffi::{c_char, CString};
use std::ptr;

use libinstance_sys as sys;

use crate::error::{check, Error, Result};
use crate::exec_control::ExecControl;
use crate::instance::Instance;
use crate::strings::{c_string, c_string_opt, ptr_or_null};

/// How [`Instance::exec`] runs a command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// Extra environment variables, as (name, value).
    pub env: Vec<(String, String)>,
    /// Working directory inside the instance; None: /root.
    pub cwd: Option<String>,
    /// Bytes fed to the command's stdin; None: empty stdin.
    pub stdin: Option<Vec<u8>>,
    /// User inside the instance (0 = root).
    pub uid: u32,
    /// Group inside the instance (0 = root).
    pub gid: u32,
    /// Lets another thread signal the command while the exec waits; None: no control.
    pub control: Option<ExecControl>,
}

/// The size of the terminal [`Instance::exec_terminal`] allocates; 0 leaves a side as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TerminalSize {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
}

/// The outcome of a command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecResult {
    /// The exit code, or 128+N when killed by signal N.
    pub exit_code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl ExecResult {
    /// True when the command exited with 0.
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }

    /// stdout as text (invalid UTF-8 replaced).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// stderr as text (invalid UTF-8 replaced).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Owns an li_exec_result until its contents are copied out.
struct RawResult(*mut sys::li_exec_result);

impl Drop for RawResult {
    fn drop(&mut self) {
        unsafe { sys::li_exec_result_free(self.0) };
    }
}

impl RawResult {
    fn bytes(
        &self,
        get: unsafe extern "C" fn(*const sys::li_exec_result, *mut usize) -> *const c_char,
    ) -> Vec<u8> {
        let mut len = 0usize;
        // Borrowed from the result, which outlives this copy.
        let data = unsafe { get(self.0, &mut len) };
        if data.is_null() || len == 0 {
            return Vec::new();
        }
        unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }.to_vec()
    }
}

fn env_entry((name, value): &(String, String)) -> Result<CString> {
    if name.is_empty() || name.contains('=') {
        return Err(Error::invalid(
            "env",
            format!("environment variable name {name:?} is empty or contains '='"),
        ));
    }
    c_string("env", &format!("{name}={value}"))
}

impl Instance {
    /// Runs `argv` (`argv[0]` looked up in the instance's PATH) and waits for it, capturing its
    /// output. Conflict if the instance is not running, NotFound if `argv[0]` does not exist; a
    /// command that runs and fails is an Ok with a non-zero exit code.
    pub fn exec(&self, argv: &[&str], opts: &ExecOptions) -> Result<ExecResult> {
        self.exec_raw(argv, opts, None)
    }

    /// Runs `argv` on a terminal allocated inside the instance (`lxc exec -t`), of `size`, and
    /// waits: the terminal is the command's stdin, stdout, stderr and controlling terminal, so
    /// `tty` names a `/dev/pts` entry of the instance. `opts.stdin` is typed on the terminal;
    /// the result's `stdout` is everything the terminal showed (stdout and stderr merged, the
    /// echo of the typed input, CR LF line ends) and `stderr` is empty. Errors as [`Instance::exec`].
    pub fn exec_terminal(&self, argv: &[&str], opts: &ExecOptions, size: TerminalSize) -> Result<ExecResult> {
        self.exec_raw(argv, opts, Some(size))
    }

    fn exec_raw(
        &self,
        argv: &[&str],
        opts: &ExecOptions,
        terminal: Option<TerminalSize>,
    ) -> Result<ExecResult> {
        let args = argv.iter().map(|a| c_string("argv", a)).collect::<Result<Vec<_>>>()?;
        let mut arg_ptrs: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
        arg_ptrs.push(ptr::null());

        let env = opts.env.iter().map(env_entry).collect::<Result<Vec<_>>>()?;
        let mut env_ptrs: Vec<*const c_char> = env.iter().map(|e| e.as_ptr()).collect();
        env_ptrs.push(ptr::null());

        let cwd = c_string_opt("cwd", opts.cwd.as_deref())?;
        let stdin = opts.stdin.as_deref().unwrap_or(&[]);
        let raw_opts = sys::li_exec_opts {
            version: sys::LI_EXEC_OPTS_VERSION,
            env: if opts.env.is_empty() { ptr::null() } else { env_ptrs.as_ptr() },
            cwd: ptr_or_null(&cwd),
            stdin_data: if stdin.is_empty() { ptr::null() } else { stdin.as_ptr().cast() },
            stdin_len: stdin.len(),
            stdin_fd: -1,
            stdout_fd: -1,
            stderr_fd: -1,
            uid: opts.uid,
            gid: opts.gid,
            // Borrowed from opts, alive across the call.
            control: opts.control.as_ref().map_or(ptr::null_mut(), ExecControl::as_ptr),
        };

        let mut out: *mut sys::li_exec_result = ptr::null_mut();
        // Every pointer in raw_opts and arg_ptrs borrows from locals alive across the call.
        match terminal {
            None => check(|err| unsafe {
                sys::li_instance_exec(&mut out, self.as_ptr(), arg_ptrs.as_ptr(), &raw_opts, err)
            })?,
            Some(size) => {
                let term = sys::li_terminal_opts {
                    version: sys::LI_TERMINAL_OPTS_VERSION,
                    width: size.width,
                    height: size.height,
                };
                check(|err| unsafe {
                    sys::li_instance_exec_terminal(
                        &mut out,
                        self.as_ptr(),
                        arg_ptrs.as_ptr(),
                        &raw_opts,
                        &term,
                        err,
                    )
                })?
            }
        };
        let raw = RawResult(out);
        Ok(ExecResult {
            exit_code: unsafe { sys::li_exec_result_exit_code(raw.0) },
            stdout: raw.bytes(sys::li_exec_result_stdout),
            stderr: raw.bytes(sys::li_exec_result_stderr),
        })
    }
}
