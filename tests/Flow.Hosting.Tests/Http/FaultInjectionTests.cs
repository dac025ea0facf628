using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Flow.Hosting.Tests.Support;
using Flow.Swf;

namespace Flow.Hosting.Tests.Http;

/// <summary>
/// Workers and client talk to flow dev over HTTP through a proxy that breaks one call in five: throttling, 500s and
/// reset connections before the service sees the call, and 500s and dropped connections after it acted (the answer
/// is lost). Everything must still complete, with nothing lost and no activity run twice except where SWF's own
/// semantics repeat it (an activity task whose start was lost times out, and the workflow's retry runs it). What is
/// under test is the workers and the service; the application starts its runs as a robust caller would.
/// </summary>
[TestFixture]
public class FaultInjectionTests
{
    private const int Workflows = 200;
    private const double FaultRate = 0.20;

    /// <summary>Attempts of the application's starter (one wire attempt each) and of its reads (four wire attempts each):
    /// a start gives up after 20 faults in a row (0.2^20), where the wire client's own 4 attempts gave up on one start in
    /// 625, one run in four of this test (0.2^4 × 200 starts).</summary>
    private const int StartAttempts = 20;

    private static readonly Fault[] Any = [Fault.Throttle, Fault.ServerError, Fault.Reset, Fault.ServerErrorAfter, Fault.DropAfter];

    private static ActivityDefinition Step => new("Faulty.Step", "1")
    {
        DefaultTaskList = "faulty-activities",
        DefaultScheduleToStartTimeout = "NONE",
        // An activity task whose poll answer was lost has started in SWF: this timeout gives it back to the workflow.
        DefaultStartToCloseTimeout = "4",
        DefaultScheduleToCloseTimeout = "NONE",
        DefaultHeartbeatTimeout = "NONE",
    };

    private static WorkflowDefinition Definition => new("Faulty.Run", "1")
    {
        DefaultTaskList = "faulty-decisions",
        DefaultExecutionStartToCloseTimeout = "600",
        // A decision task whose poll answer was lost times out and is scheduled again.
        DefaultTaskStartToCloseTimeout = "4",
        DefaultChildPolicy = ChildPolicy.Terminate,
    };

    [Test]
    public async Task Under_20_percent_faults_over_http_200_workflows_all_complete_and_no_activity_runs_twice()
    {
        string domain = await FlowDev.NewDomainAsync("faults");
        var random = new Random(20);
        Fault Choose(string _)
        {
            lock (random)
            {
                return random.NextDouble() >= FaultRate ? Fault.None : Any[random.Next(Any.Length)];
            }
        }
        var failures = new ConcurrentDictionary<string, long>();
        using var meter = new MeterListener();
        meter.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FlowDiagnostics.Name && instrument.Name == "flow.failures")
                l.EnableMeasurementEvents(instrument);
        };
        meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "kind")
                    failures.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
        });
        meter.Start();
        await using var proxy = new FaultProxy(FlowDev.Url, Choose);
        // The workers' client makes two attempts per call, so a fault in 25 outlasts its retry and reaches the
        // workers' own backoff; the application's reads keep the default four.
        using var swf = FlowDev.Client(proxy.Url, maxAttempts: 2);
        using var application = FlowDev.Client(proxy.Url);
        // The starter sends a start once per attempt: it looks for the run before sending again.
        using var startOnce = FlowDev.Client(proxy.Url, maxAttempts: 1);

        var step = Step;
        var definition = Definition;
        var retry = new ActivityOptions
        {
            RetryPolicy = new RetryPolicy { MaximumAttempts = 10, InitialInterval = TimeSpan.Zero, RetryableReasons = [nameof(ActivityTimedOutException)] },
        };
        var runs = new ConcurrentDictionary<string, int>();
        var workflows = new WorkflowWorker(swf, new WorkflowWorkerOptions
        {
            Domain = domain, Pollers = 2, MaxConcurrentTasks = 8, MaxRespondAttempts = 20,
            RetryInitialDelay = TimeSpan.FromMilliseconds(5), RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        }, [new WorkflowHandler(definition, () => new TwoSteps(step, retry))]);
        var activities = new ActivityWorker(swf, new ActivityWorkerOptions
        {
            Domain = domain, Pollers = 2, MaxConcurrentTasks = 16, MaxRespondAttempts = 20,
            RetryInitialDelay = TimeSpan.FromMilliseconds(5), RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        }, [new ActivityHandler(step, (input, context) =>
        {
            runs.AddOrUpdate(context.WorkflowExecution.WorkflowId + "/" + input, 1, (_, n) => n + 1);
            return Task.FromResult(input);
        })]);
        var client = new WorkflowClient(application, domain) { ResultPollInitialInterval = TimeSpan.FromMilliseconds(200), ResultPollMaxInterval = TimeSpan.FromSeconds(1) };
        var starter = new WorkflowClient(startOnce, domain);

        await workflows.StartAsync();
        await activities.StartAsync();
        string?[] results;
        var started = new List<WorkflowExecution>();
        int answersLost = 0;
        try
        {
            for (int i = 0; i < Workflows; i++)
            {
                var (run, answerLost) = await StartAsync(starter, client, definition, $"faulty-{i}", i.ToString(CultureInfo.InvariantCulture));
                started.Add(run);
                answersLost += answerLost ? 1 : 0;
            }
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            results = await Task.WhenAll(started.Select(run => client.GetResultAsync(run, deadline.Token)));
        }
        finally
        {
            await Task.WhenAll(workflows.StopAsync(), activities.StopAsync());
        }

        Assert.That(results, Is.EqualTo(Enumerable.Range(0, Workflows).Select(i => $"{i}-a{i}-b")), "every workflow completed with its result");
        Assert.That(runs.Keys, Has.Count.EqualTo(2 * Workflows), "every step ran");
        foreach (var (key, count) in runs.Where(r => r.Value > 1))
        {
            // Only a step whose earlier attempt timed out in SWF may run again.
            string workflowId = key[..key.IndexOf('/', StringComparison.Ordinal)], input = key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..];
            var run = started.Single(s => s.WorkflowId == workflowId);
            var history = await FlowDev.Direct.GetWorkflowExecutionHistoryEventsAsync(new GetWorkflowExecutionHistoryInput
            {
                Domain = domain, Execution = new WorkflowExecution { WorkflowId = run.WorkflowId, RunId = run.RunId },
            }).ToListAsync();
            var scheduled = history.Where(e => e.ActivityTaskScheduledEventAttributes?.Input == input).Select(e => e.EventId).ToHashSet();
            int timedOut = history.Count(e => e.ActivityTaskTimedOutEventAttributes is { } t && scheduled.Contains(t.ScheduledEventId));
            Assert.That(count, Is.LessThanOrEqualTo(timedOut + 1), $"{key} ran {count} times with {timedOut} timeouts");
        }

        int total = proxy.Total((_, _) => true), faulted = proxy.Total((_, f) => f != Fault.None);
        TestContext.Out.WriteLine($"{total} calls through the proxy, {faulted} faulted; start answers lost: {answersLost}; runs repeated after a timeout: " +
            runs.Count(r => r.Value > 1) + "; flow.failures: " + string.Join(", ", failures.Select(f => $"{f.Key} {f.Value}")));
        Assert.That(faulted, Is.GreaterThan(total * 0.15), "about one call in five was broken");
        foreach (var fault in Any)
            Assert.That(proxy.Total((_, f) => f == fault), Is.GreaterThan(0), $"{fault} was injected");
        Assert.That(proxy.Total((op, f) => op.StartsWith("Respond", StringComparison.Ordinal) && f is Fault.DropAfter or Fault.ServerErrorAfter),
            Is.GreaterThan(0), "some responses were taken by the service and their answers lost");
        Assert.That(answersLost, Is.GreaterThan(0), "some starts were taken by the service and their answers lost; the starter found their runs");
        Assert.That(failures.GetValueOrDefault("poll"), Is.GreaterThan(0), "polls that outlasted the client's retry are counted in flow.failures");
        Assert.That(failures.GetValueOrDefault("respond"), Is.GreaterThan(0), "so are responses");
    }

    [TestCase(1, false)]
    [TestCase(2, true)]
    public async Task A_connection_reset_on_a_kept_alive_connection_is_a_transient_fault_the_wire_client_retries(int maxAttempts, bool succeeds)
    {
        string domain = await FlowDev.NewDomainAsync("reset");
        var faults = new Queue<Fault>([Fault.None, Fault.Reset]);
        await using var proxy = new FaultProxy(FlowDev.Url, operation =>
        {
            lock (faults)
                return operation == "DescribeDomain" && faults.Count > 0 ? faults.Dequeue() : Fault.None;
        });
        using var swf = FlowDev.Client(proxy.Url, maxAttempts);
        var input = new DescribeDomainInput { Name = domain };
        await swf.DescribeDomainAsync(input); // opens the connection the next call reuses, and the proxy resets

        if (succeeds)
        {
            Assert.That((await swf.DescribeDomainAsync(input)).DomainInfo.Name, Is.EqualTo(domain));
        }
        else
        {
            // One attempt only: the reset reaches the caller, so nothing below the wire client retried it.
            var error = Assert.ThrowsAsync<HttpRequestException>(() => swf.DescribeDomainAsync(input));
            Assert.That(error!.InnerException, Is.InstanceOf<IOException>());
        }
        Assert.That((proxy.Counts.GetValueOrDefault(("DescribeDomain", Fault.Reset)), proxy.Counts.GetValueOrDefault(("DescribeDomain", Fault.None))),
            Is.EqualTo((1, succeeds ? 2 : 1)));
    }

    /// <summary>
    /// How a robust application starts a run. SWF's workflow id is unique among open runs only, and a run can complete
    /// before a blind retry of its start arrives (seen here: a second run of the id, its steps run twice), so one wire
    /// attempt at a time, and after a failed one, look before sending again: a run of the id with this start's type
    /// and input means the service took the start and its answer was lost. A retry that meets
    /// WorkflowExecutionAlreadyStarted means the same. The id, used by nobody else, is the start's idempotency key.
    /// </summary>
    private static async Task<(WorkflowExecution Run, bool AnswerLost)> StartAsync(WorkflowClient starter, WorkflowClient reader,
        WorkflowDefinition definition, string workflowId, string input)
    {
        for (int attempt = 1; ; attempt++)
        {
            if (attempt > 1 && await Retried(() => FindStartedAsync(reader, definition, workflowId, input)) is { } found)
                return (found, true);
            try
            {
                return (await starter.StartAsync(definition, workflowId, input), false);
            }
            catch (WorkflowExecutionAlreadyStartedException)
            {
                return (await Retried(() => FindStartedAsync(reader, definition, workflowId, input))
                    ?? throw new AssertionException($"{workflowId}: WorkflowExecutionAlreadyStarted, but no run of the id"), true);
            }
            catch (Exception e) when (attempt < StartAttempts && Transient(e))
            {
            }
        }
    }

    /// <summary>The one run of <paramref name="workflowId"/>, checked to be this start's, or null when there is none.</summary>
    private static async Task<WorkflowExecution?> FindStartedAsync(WorkflowClient client, WorkflowDefinition definition, string workflowId, string input)
    {
        var query = new WorkflowExecutionQuery { WorkflowId = workflowId };
        var runs = await client.ListOpenAsync(query).ToListAsync();
        // A run that closes between the two lists is in both.
        runs.AddRange(await client.ListClosedAsync(query).ToListAsync());
        var distinct = runs.DistinctBy(r => r.Execution.RunId).ToList();
        if (distinct.Count == 0)
            return null;
        Assert.That(distinct, Has.Count.EqualTo(1), $"{workflowId}: one start, one run");
        var run = distinct[0];
        var first = (await client.GetHistoryAsync(run.Execution))[0].WorkflowExecutionStartedEventAttributes!;
        Assert.That((run.WorkflowType.Name, run.WorkflowType.Version, first.Input), Is.EqualTo((definition.Name, definition.Version, input)),
            $"{workflowId}: the run found is this start's");
        return run.Execution;
    }

    /// <summary>The faults the wire client itself retries.</summary>
    private static bool Transient(Exception e) =>
        e is HttpRequestException or IOException or TimeoutException or SwfException { IsRetryable: true };

    /// <summary>Repeats a read on transient faults, up to <see cref="StartAttempts"/> times.</summary>
    private static async Task<T> Retried<T>(Func<Task<T>> call)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (attempt < StartAttempts && Transient(e))
            {
            }
        }
    }

    private sealed class TwoSteps(ActivityDefinition step, ActivityOptions retry) : IWorkflowInstance
    {
        public async Task<string?> ExecuteAsync(string? input)
        {
            var a = await Workflow.ExecuteActivityAsync(step, input + "-a", retry);
            var b = await Workflow.ExecuteActivityAsync(step, input + "-b", retry);
            return a + b;
        }

        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }
}
