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
/// semantics repeat it (an activity task whose start was lost times out, and the workflow's retry runs it).
/// </summary>
[TestFixture]
public class FaultInjectionTests
{
    private const int Workflows = 200;
    private const double FaultRate = 0.20;

    private static readonly Fault[] Before = [Fault.Throttle, Fault.ServerError, Fault.Reset];
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
        Fault Choose(string operation)
        {
            lock (random)
            {
                if (random.NextDouble() >= FaultRate)
                    return Fault.None;
                // A lost StartWorkflowExecution answer is ambiguous to every SWF client (the retry meets
                // WorkflowExecutionAlreadyStarted), so the start only meets faults the service never saw.
                var kinds = operation == "StartWorkflowExecution" ? Before : Any;
                return kinds[random.Next(kinds.Length)];
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
        // workers' own backoff; the application's client keeps the default four.
        using var swf = FlowDev.Client(proxy.Url, maxAttempts: 2);
        using var application = FlowDev.Client(proxy.Url);

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

        await workflows.StartAsync();
        await activities.StartAsync();
        string?[] results;
        var started = new List<WorkflowExecution>();
        try
        {
            for (int i = 0; i < Workflows; i++)
                started.Add(await client.StartAsync(definition, $"faulty-{i}", i.ToString(CultureInfo.InvariantCulture)));
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
        TestContext.Out.WriteLine($"{total} calls through the proxy, {faulted} faulted; runs repeated after a timeout: " +
            runs.Count(r => r.Value > 1) + "; flow.failures: " + string.Join(", ", failures.Select(f => $"{f.Key} {f.Value}")));
        Assert.That(faulted, Is.GreaterThan(total * 0.15), "about one call in five was broken");
        foreach (var fault in Any)
            Assert.That(proxy.Total((_, f) => f == fault), Is.GreaterThan(0), $"{fault} was injected");
        Assert.That(proxy.Total((op, f) => op.StartsWith("Respond", StringComparison.Ordinal) && f is Fault.DropAfter or Fault.ServerErrorAfter),
            Is.GreaterThan(0), "some responses were taken by the service and their answers lost");
        Assert.That(failures.GetValueOrDefault("poll"), Is.GreaterThan(0), "polls that outlasted the client's retry are counted in flow.failures");
        Assert.That(failures.GetValueOrDefault("respond"), Is.GreaterThan(0), "so are responses");
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
