import DeskAssembly
import SSCardDriver
import Synchronization

/// The one driver of the process behind the C functions: built from the configuration on
/// first use (or by SSCardDriver_Configure), then shared. C callers may come from any thread;
/// the mutex serialises them. Assembled from real parts only: a simulated kind in the
/// configuration is an error naming the simulator to run instead (docs/c-abi.md).
enum DriverInstance {
    private static let state = Mutex<SSCardInterface?>(nil)

    /// Runs `body` with the driver, creating it from the default configuration if needed.
    static func with<T>(_ body: (SSCardInterface) -> T) -> Result<T, ABIFailure> {
        state.withLock { current in
            if current == nil {
                switch make(path: nil) {
                case .success(let made): current = made
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(body(current!))
        }
    }

    /// Replaces the driver with one built from the file at `path` (nil = default search).
    static func configure(path: String?) -> Result<Void, ABIFailure> {
        state.withLock { current in
            make(path: path).map { current = $0 }
        }
    }

    /// The string encoding in force (GB18030 until a driver says otherwise).
    static var encoding: DriverConfiguration.StringEncodingSetting {
        state.withLock { $0?.configuration.stringEncoding ?? .gb18030 }
    }

    private static func make(path: String?) -> Result<SSCardInterface, ABIFailure> {
        do throws(ConfigurationError) {
            return .success(try DeskAssembly.production.driver(DriverConfiguration.load(path: path)))
        } catch {
            return .failure(ABIFailure(code: -5, message: error.description))
        }
    }
}
