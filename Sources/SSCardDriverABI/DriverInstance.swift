import DeskAssembly
import SSCardDriver
import Glibc
import Synchronization

/// The one driver of the process behind the C functions: built from the configuration on
/// first use (or by SSCardDriver_Configure), then shared. C callers may come from any thread;
/// the mutex serialises them. Assembled from real parts only: a simulated kind in the
/// configuration is an error naming the simulator to run instead (docs/c-abi.md).
enum DriverInstance {
    private static let state = Mutex<SSCardInterface?>(nil)

    /// Runs `body` with the driver, creating it from the default configuration if needed.
    static func with<T>(_ body: (SSCardInterface) -> T) -> Result<T, ABIFailure> {
        guardingReentry { state.withLock { current in
            if current == nil {
                switch make(path: nil) {
                case .success(let made): current = made
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(body(current!))
        } }
    }

    /// Replaces the driver with one built from the file at `path` (nil = default search).
    static func configure(path: String?) -> Result<Void, ABIFailure> {
        guardingReentry {
            state.withLock { current in
                make(path: path).map { current = $0 }
            }
        }
    }

    /// Marks the threads inside a driver call. A PIN callback runs on the thread of the call that
    /// asked for the PIN; a driver function it calls would wait for that very call to finish.
    private static let insideCall: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` unless this thread is already inside a driver call: then −13 with the reason,
    /// instead of a deadlock or a trap.
    private static func guardingReentry<T>(_ body: () -> Result<T, ABIFailure>) -> Result<T, ABIFailure> {
        guard pthread_getspecific(insideCall) == nil else {
            return .failure(ABIFailure(code: -13, message: "PIN回调中不能调用驱动函数 / a driver function cannot be called from inside the PIN callback"))
        }
        pthread_setspecific(insideCall, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(insideCall, nil) }
        return body()
    }

    /// The string encoding in force (GB18030 until a driver says otherwise). Kept apart from the
    /// driver's lock, so a call refused for re-entry can still write its message.
    static var encoding: DriverConfiguration.StringEncodingSetting { currentEncoding.withLock { $0 } }
    private static let currentEncoding = Mutex<DriverConfiguration.StringEncodingSetting>(.gb18030)

    private static func make(path: String?) -> Result<SSCardInterface, ABIFailure> {
        do throws(ConfigurationError) {
            let driver = try DeskAssembly.production.driver(DriverConfiguration.load(path: path))
            currentEncoding.withLock { $0 = driver.configuration.stringEncoding }
            return .success(driver)
        } catch {
            return .failure(ABIFailure(code: -5, message: error.description))
        }
    }
}
