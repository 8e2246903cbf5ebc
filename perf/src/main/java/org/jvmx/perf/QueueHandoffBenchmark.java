package org.jvmx.perf;

import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * Hand-off of a vCPU between threads through the run-queue candidates of the scheduler
 * ({@code org.jvmx.sched.Scheduler}): JCTools' MPMC array queue (the one chosen) and MPSC array
 * queue (VarHandle flavours), against {@link ArrayBlockingQueue} and {@link ConcurrentLinkedQueue}.
 * All are used the same way, non-blocking {@code offer}/{@code poll} with a spin on empty/full,
 * so the figures are the queues' own costs.
 *
 * <ul>
 *   <li>{@code latency}: a token (the "vCPU") ping-pongs between two threads through two queues;
 *       one operation is one round trip, i.e. two hand-offs.
 *   <li>{@code throughput}: one producer offers tokens, one consumer polls them; operations per
 *       microsecond of each side (read the consumer's: an unbounded queue lets the producer run
 *       ahead and count offers nobody took yet).
 *   <li>{@code requeue}: offer and poll on one thread, the common slice end.
 * </ul>
 *
 * Both need two free cores: on a loaded machine the spinning thread steals the other's core.
 * Run: {@code scripts/bench QueueHandoffBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s}.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueueHandoffBenchmark {
    /** The token handed over, standing for a vCPU. */
    static final Object VCPU = new Object();

    @State(Scope.Group)
    public static class Queues {
        @Param({"jctools-mpmc", "jctools-mpsc", "ArrayBlockingQueue", "ConcurrentLinkedQueue"})
        public String queue;
        Queue<Object> ping, pong;

        @Setup(Level.Iteration)
        public void setUp() {
            ping = make();
            pong = make();
        }

        private Queue<Object> make() {
            return switch (queue) {
                case "jctools-mpmc" -> new MpmcVarHandleArrayQueue<>(1024);
                case "jctools-mpsc" -> new MpscVarHandleArrayQueue<>(1024);
                case "ArrayBlockingQueue" -> new ArrayBlockingQueue<>(1024);
                case "ConcurrentLinkedQueue" -> new ConcurrentLinkedQueue<>();
                default -> throw new IllegalArgumentException(queue);
            };
        }
    }

    private static Object take(Queue<Object> q, Control c) {
        Object o;
        while ((o = q.poll()) == null) {
            if (c.stopMeasurement) return null;
            Thread.onSpinWait();
        }
        return o;
    }

    private static void give(Queue<Object> q, Object o, Control c) {
        while (!q.offer(o)) {
            if (c.stopMeasurement) return;
            Thread.onSpinWait();
        }
    }

    /** One round trip: hand the vCPU over and wait for it to come back. */
    @Benchmark
    @Group("latency")
    @GroupThreads(1)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object ping(Queues q, Control c) {
        give(q.ping, VCPU, c);
        return take(q.pong, c);
    }

    /** The other core: takes the vCPU and hands it back. */
    @Benchmark
    @Group("latency")
    @GroupThreads(1)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void pong(Queues q, Control c) {
        Object o = take(q.ping, c);
        if (o != null) give(q.pong, o, c);
    }

    /**
     * A worker re-queueing the vCPU whose slice ended and taking the next one, with no other
     * thread on the queue: what most slice ends cost. Single-threaded, so it stays meaningful on
     * a loaded machine where the two-thread figures measure the host's scheduler.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object requeue(Single s) {
        s.runQueue.offer(VCPU);
        return s.runQueue.poll();
    }

    @State(Scope.Thread)
    public static class Single {
        @Param({"jctools-mpmc", "jctools-mpsc", "ArrayBlockingQueue", "ConcurrentLinkedQueue"})
        public String queue;
        Queue<Object> runQueue;

        @Setup(Level.Trial)
        public void setUp() {
            Queues q = new Queues();
            q.queue = queue;
            runQueue = q.make();
        }
    }

    @Benchmark
    @Group("throughput")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void produce(Queues q, Control c) {
        give(q.ping, VCPU, c);
    }

    @Benchmark
    @Group("throughput")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object consume(Queues q, Control c) {
        return take(q.ping, c);
    }
}
