import NIOCore

/// Runs a connection's Swift tasks on the NIO event loop that carries its socket, instead of
/// the cooperative pool: a frame is read, checked and answered on one thread, and only the
/// driver call itself leaves it (for `DriverThread`). That saves two thread hops per call, which
/// on a busy two-core desk is most of what the bridge adds (docs/bridge.md, benchmark). Nothing
/// that blocks runs here: the driver calls, which do, run on `DriverThread`.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
