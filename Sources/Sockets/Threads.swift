import Glibc

/// Runs `body` on a new detached thread named `name` (Linux keeps the first 15 bytes).
/// Blocking socket calls belong on threads of their own, never on the Swift cooperative pool.
func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
    final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) { self.name = name; self.body = body }
    }
    let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
        nameThisThread(start.name)
        start.body()
        return nil
    }, start)
    precondition(rc == 0, "pthread_create failed: \(String(cString: strerror(rc)))")
    pthread_detach(thread)
}

/// Names the calling thread for `top` and debuggers: the first 15 bytes of `name` (at a
/// character boundary) into /proc/thread-self/comm, as `pthread_setname_np` does (a GNU
/// extension Swift does not see).
private func nameThisThread(_ name: String) {
    var short = ""
    for character in name {
        guard short.utf8.count + character.utf8.count <= 15 else { break }
        short.append(character)
    }
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = Array(short.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    _ = close(fd)
}

/// Counts threads that are running; `wait()` blocks until none is left (a DispatchGroup over
/// a pthread mutex and condition, so that this module needs nothing but Glibc).
final class RunningThreads: @unchecked Sendable {
    // @unchecked Sendable: `count` is read and written only while holding `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var count = 0

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Starts `body` on a thread counted here until it returns.
    func start(name: String, _ body: @escaping @Sendable () -> Void) {
        locked { count += 1 }
        startThread(name: name) { [self] in
            body()
            locked {
                count -= 1
                if count == 0 { pthread_cond_broadcast(condition) }
            }
        }
    }

    /// Returns once every thread started here has ended.
    func wait() {
        locked {
            while count > 0 { pthread_cond_wait(condition, mutex) }
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
