/*
 * sidecar's start gate: what runc's exec FIFO does between `runc create` and
 * `runc start`, for a container the Docker engine has already started.
 *
 *   gate FIFO PROGRAM [ARG...]
 *
 * Opens FIFO for writing, with close-on-exec. That open blocks until the
 * supervisor opens the FIFO for reading: that is the release. Then PROGRAM is
 * run in the gate's place (execve, PATH searched as execvp does), so it keeps
 * the gate's pid, environment, user and working directory. It runs under the
 * engine's init (tini), which without the gate ran the program itself with
 * execvp: so, as there, a file with no #! line is run by /bin/sh, and a program
 * that cannot be run is said on stderr ("exec NAME failed: REASON") with tini's
 * exit code (127 not found, 126 permission denied, else 1). A successful exec
 * closes the FIFO's write end: the supervisor reads end-of-file with nothing
 * before it, the moment the engine's own start would have returned. A failed
 * exec writes its errno (4 bytes, native order) there first.
 * Until the release the gate catches no signal: SIGTERM ends it (sidecar runs
 * it under the engine's init, which forwards signals; as PID 1 itself it would
 * be immune to them).
 *
 * No libc: a static binary of a few hundred bytes that runs in any image.
 * scripts/build-gate.sh compiles it into src/runtime/docker/gate-binary.ts.
 */
#define AT_FDCWD (-100)
#define O_WRONLY 1
#define O_CLOEXEC 0x80000
#define EINTR 4
#define ENOENT 2
#define EACCES 13
#define ENOTDIR 20
#define ENAMETOOLONG 36
#define ENOEXEC 8
#define ENOMEM 12
#define ETXTBSY 26
#define E2BIG 7
#define ELOOP 40
#define PATH_BUF 4096

#if defined(__x86_64__)
#define SYS_write 1
#define SYS_openat 257
#define SYS_execve 59
#define SYS_exit_group 231
static long sys4(long n, long a, long b, long c, long d) {
  register long r10 __asm__("r10") = d;
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return ret;
}
__asm__(".text\n.globl _start\n_start:\n  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call gate_main\n  hlt\n");
#elif defined(__aarch64__)
#define SYS_write 64
#define SYS_openat 56
#define SYS_execve 221
#define SYS_exit_group 94
static long sys4(long n, long a, long b, long c, long d) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
}
__asm__(".text\n.globl _start\n_start:\n  mov x0, sp\n  bl gate_main\n  brk #0\n");
#else
#error "the gate is built for x86_64 and aarch64 only"
#endif

static unsigned long length(const char *s) {
  unsigned long n = 0;
  while (s[n]) n++;
  return n;
}

static void say(const char *s) { sys4(SYS_write, 2, (long)s, (long)length(s), 0); }

static void __attribute__((noreturn)) leave(int code) {
  for (;;) sys4(SYS_exit_group, code, 0, 0, 0);
}

/* strerror's words for what execve may say; a number for the rest. */
static const char *reason(int err) {
  switch (err) {
    case ENOENT: return "No such file or directory";
    case EACCES: return "Permission denied";
    case ENOEXEC: return "Exec format error";
    case ENOTDIR: return "Not a directory";
    case ENAMETOOLONG: return "File name too long";
    case E2BIG: return "Argument list too long";
    case ENOMEM: return "Cannot allocate memory";
    case ETXTBSY: return "Text file busy";
    case ELOOP: return "Too many levels of symbolic links";
  }
  static char text[24] = "error ";
  char digits[12];
  int n = 0;
  unsigned int value = err < 0 ? (unsigned int)-err : (unsigned int)err;
  do digits[n++] = (char)('0' + value % 10), value /= 10;
  while (value);
  int at = 6;
  while (n) text[at++] = digits[--n];
  text[at] = 0;
  return text;
}

static int starts_with_path(const char *s) {
  return s[0] == 'P' && s[1] == 'A' && s[2] == 'T' && s[3] == 'H' && s[4] == '=';
}

/* execve, and for a file the kernel does not take as a program (no #! line),
 * /bin/sh FILE ARGS..., as execvp does. argv[-1] is the gate's own slot, free. */
static int exec_file(const char *file, char **argv, char **envp) {
  int err = (int)-sys4(SYS_execve, (long)file, (long)argv, (long)envp, 0);
  if (err != ENOEXEC) return err;
  argv[-1] = (char *)"/bin/sh";
  argv[0] = (char *)file;
  return (int)-sys4(SYS_execve, (long)"/bin/sh", (long)(argv - 1), (long)envp, 0);
}

/* execvp without libc: a name with a slash as it is, else each entry of the
 * first PATH in turn ("" is the working directory). A name not found there, or
 * not a directory, goes on to the next entry; EACCES too, and wins over ENOENT
 * at the end; any other error ends the search, as glibc's execvp does. */
static int run(char **argv, char **envp) {
  const char *name = argv[0];
  unsigned long name_len = length(name);
  for (unsigned long i = 0; i < name_len; i++) {
    if (name[i] == '/') return exec_file(name, argv, envp);
  }
  if (name_len == 0) return ENOENT;
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char **e = envp; *e; e++) {
    if (starts_with_path(*e)) {
      path = *e + 5;
      break;
    }
  }
  static char buf[PATH_BUF];
  int seen_eacces = 0;
  int last = ENOENT;
  const char *p = path;
  for (;;) {
    const char *end = p;
    while (*end && *end != ':') end++;
    unsigned long dir_len = (unsigned long)(end - p);
    if (dir_len + 1 + name_len + 1 <= PATH_BUF) {
      unsigned long n = 0;
      for (unsigned long i = 0; i < dir_len; i++) buf[n++] = p[i];
      if (dir_len > 0) buf[n++] = '/';
      for (unsigned long i = 0; i < name_len; i++) buf[n++] = name[i];
      buf[n] = 0;
      int err = exec_file(buf, argv, envp);
      if (err == EACCES) seen_eacces = 1;
      else if (err != ENOENT && err != ENOTDIR) return err;
    } else {
      last = ENAMETOOLONG;
    }
    if (!*end) break;
    p = end + 1;
  }
  return seen_eacces ? EACCES : last;
}

void __attribute__((noreturn, used)) gate_main(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1);
  char **envp = argv + argc + 1;
  if (argc < 3) {
    say("usage: gate FIFO PROGRAM [ARG...]\n");
    leave(127);
  }
  long fd;
  do fd = sys4(SYS_openat, AT_FDCWD, (long)argv[1], O_WRONLY | O_CLOEXEC, 0);
  while (fd == -EINTR);
  if (fd < 0) {
    say("sidecar gate: cannot open its FIFO\n");
    leave(127);
  }
  const char *name = argv[2];
  int err = run(argv + 2, envp);
  sys4(SYS_write, fd, (long)&err, sizeof err, 0);
  say("exec ");
  say(name);
  say(" failed: ");
  say(reason(err));
  say("\n");
  leave(err == ENOENT ? 127 : err == EACCES ? 126 : 1);
}
