using System.Text.Json;
using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

[TestFixture]
public class WorkflowLifecycleTests
{
    private static readonly ActivityDefinition Greet = Harness.Activity("Greet");
    private static readonly ActivityDefinition Shout = Harness.Activity("Shout");

    private static ActivityHandler[] Activities() =>
    [
        new(Greet, (input, _) => Task.FromResult<string?>("Hello " + input)),
        new(Shout, (input, _) => Task.FromResult<string?>(input?.ToUpperInvariant() + "!")),
    ];

    [Test]
    public async Task A_workflow_of_two_activities_completes_with_their_combined_result()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Greeting");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, input) =>
        {
            var greeting = await Workflow.ExecuteActivityAsync(Greet, input);
            return await Workflow.ExecuteActivityAsync(Shout, greeting);
        })]);
        await h.StartActivityWorker(Activities());

        var run = await h.Client.StartAsync(definition, "greet-1", "world");

        Assert.That(await h.Result(run), Is.EqualTo("HELLO WORLD!"));
    }

    [Test]
    public async Task A_signal_delivers_its_input_to_a_waiting_workflow_and_get_state_reads_the_state()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Approval");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (self, _) =>
        {
            string? approver = null;
            self.Signals["Approve"] = input => approver = input;
            self.State = () => approver is null ? "waiting" : "approved";
            await Workflow.WaitConditionAsync(() => approver is not null);
            return "approved by " + approver;
        })]);

        var run = await h.Client.StartAsync(definition, "approval-1", null);
        await h.WhenEvent(run, EventType.DecisionTaskCompleted);
        Assert.That(await h.Client.GetStateAsync(run), Is.EqualTo("waiting"));
        await h.Client.SignalAsync(run, "Approve", "alice");

        Assert.That(await h.Result(run), Is.EqualTo("approved by alice"));
        Assert.That(await h.Client.GetStateAsync(run), Is.EqualTo("approved"));
    }

    [Test]
    public async Task A_durable_timer_fires_when_its_time_comes()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Sleeper");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            var before = Workflow.UtcNow;
            await Workflow.DelayAsync(TimeSpan.FromMinutes(30));
            return (Workflow.UtcNow - before).TotalMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        })]);

        var run = await h.Client.StartAsync(definition, "sleeper-1", null);
        await h.WhenEvent(run, EventType.TimerStarted);
        h.Time.Advance(TimeSpan.FromMinutes(30));

        Assert.That(double.Parse((await h.Result(run))!, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(30));
    }

    [Test]
    public async Task An_activity_exception_fails_the_task_with_the_type_as_reason_and_json_details()
    {
        await using var h = new Harness();
        var broken = Harness.Activity("Broken");
        var definition = Harness.Workflow("Failing");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                await Workflow.ExecuteActivityAsync(broken, null);
                return "no failure";
            }
            catch (ActivityFailedException ex)
            {
                return ex.ErrorType + ": " + ex.ErrorMessage;
            }
        })]);
        Exception? thrown = null;
        await h.StartActivityWorker([new(broken, (_, _) => throw (thrown = new InvalidOperationException("disk on fire")))]);

        var run = await h.Client.StartAsync(definition, "failing-1", null);

        Assert.That(await h.Result(run), Is.EqualTo("System.InvalidOperationException: disk on fire"));
        var failed = (await h.History(run)).Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes!;
        Assert.That(failed.Reason, Is.EqualTo("System.InvalidOperationException"));
        using var details = JsonDocument.Parse(failed.Details!);
        Assert.That(details.RootElement.GetProperty("message").GetString(), Is.EqualTo("disk on fire"));
        // The exception's own stack, whatever frames the JIT kept: no frame name is pinned.
        Assert.That(thrown!.StackTrace, Is.Not.Empty);
        Assert.That(details.RootElement.GetProperty("stack").GetString(), Is.EqualTo(thrown.StackTrace));
    }

    [Test]
    public async Task An_unhandled_workflow_failure_surfaces_from_get_result_as_workflow_failed()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Crashing");
        await h.StartWorkflowWorker([Harness.Handler(definition, (_, _) => throw new ArgumentException("bad input"))]);

        var run = await h.Client.StartAsync(definition, "crashing-1", null);

        var ex = Assert.ThrowsAsync<WorkflowFailedException>(() => h.Result(run));
        Assert.That(ex!.Status, Is.EqualTo(CloseStatus.Failed));
        Assert.That(ex.Reason, Does.Contain("ArgumentException"));
    }

    [Test]
    public async Task An_activity_type_the_worker_does_not_know_fails_at_once_naming_the_known_types()
    {
        await using var h = new Harness();
        var missing = Harness.Activity("Missing");
        await new FlowRegistration(h.Swf, Harness.Domain).RegisterActivityTypeAsync(missing, null);
        var definition = Harness.Workflow("Lost");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(missing, null);
            }
            catch (ActivityFailedException ex)
            {
                return ex.Reason;
            }
        })]);
        await h.StartActivityWorker(Activities());

        var run = await h.Client.StartAsync(definition, "lost-1", null);

        Assert.That(await h.Result(run), Is.EqualTo("Flow.UnknownActivityType"));
        var failed = (await h.History(run)).Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes!;
        Assert.That(failed.Details, Does.Contain("Missing 1").And.Contain("Greet 1, Shout 1"));
    }

    [Test]
    public async Task A_result_over_the_limit_fails_the_activity_at_once_with_a_clear_reason()
    {
        await using var h = new Harness();
        var big = Harness.Activity("Big");
        var definition = Harness.Workflow("TooBig");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(big, null);
            }
            catch (ActivityFailedException ex)
            {
                return ex.Reason + " / " + ex.ErrorMessage;
            }
        })]);
        await h.StartActivityWorker([new(big, (_, _) => Task.FromResult<string?>(new string('x', 40_000)))]);

        var run = await h.Client.StartAsync(definition, "big-1", null);

        Assert.That(await h.Result(run), Does.StartWith("Flow.ActivityResultTooLarge / ").And.Contain("40,000 characters").And.Contain("32,768"));
    }

    [Test]
    public async Task A_heartbeat_that_answers_cancel_requested_cancels_the_activity_which_is_reported_canceled()
    {
        await using var h = new Harness();
        var slow = Harness.Activity("Slow");
        var definition = Harness.Workflow("Canceling");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.StartWorkflowWorker([Harness.Handler(definition, async (self, _) =>
        {
            bool stop = false, finish = false;
            self.Signals["Stop"] = _ => stop = true;
            self.Signals["Finish"] = _ => finish = true;
            var cts = new CancellationTokenSource();
            var activity = Workflow.ExecuteActivityAsync(slow, null, new ActivityOptions { CancellationToken = cts.Token });
            await Workflow.WaitConditionAsync(() => stop);
            cts.Cancel();
            try
            {
                await activity;
            }
            catch (ActivityCanceledException)
            {
            }
            await Workflow.WaitConditionAsync(() => finish);
            return "stopped";
        })]);
        await h.StartActivityWorker([new(slow, async (_, context) =>
        {
            started.TrySetResult();
            while (true)
            {
                await context.HeartbeatAsync("working");
                await Task.Delay(5, context.CancellationToken);
            }
        })]);

        var run = await h.Client.StartAsync(definition, "cancel-1", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await h.Client.SignalAsync(run, "Stop", null);
        await h.WhenEvent(run, EventType.ActivityTaskCanceled);
        await h.Client.SignalAsync(run, "Finish", null);

        Assert.That(await h.Result(run), Is.EqualTo("stopped"));
    }

    [Test]
    public async Task A_cancel_request_cancels_the_workflow_and_get_result_says_so()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Cancelable");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            await Workflow.DelayAsync(TimeSpan.FromDays(1), Workflow.CancellationToken);
            return "slept";
        })]);

        var run = await h.Client.StartAsync(definition, "cancelable-1", null);
        await h.WhenEvent(run, EventType.TimerStarted);
        await h.Client.RequestCancelAsync(run);

        Assert.ThrowsAsync<WorkflowCanceledException>(() => h.Result(run));
    }

    [Test]
    public async Task A_terminated_run_surfaces_as_workflow_terminated_with_the_reason()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Terminated");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            await Workflow.DelayAsync(TimeSpan.FromDays(1));
            return "slept";
        })]);

        var run = await h.Client.StartAsync(definition, "terminated-1", null);
        await h.WhenEvent(run, EventType.TimerStarted);
        await h.Client.TerminateAsync(run, "operator says stop");

        var ex = Assert.ThrowsAsync<WorkflowTerminatedException>(() => h.Result(run));
        Assert.That(ex!.Reason, Is.EqualTo("operator says stop"));
    }

    [Test]
    public async Task A_manual_completion_activity_waits_for_the_completion_client()
    {
        await using var h = new Harness();
        var approval = Harness.Activity("HumanApproval") with { ManualCompletion = true };
        var definition = Harness.Workflow("Manual");
        var token = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) => await Workflow.ExecuteActivityAsync(approval, null))]);
        await h.StartActivityWorker([new(approval, (_, context) =>
        {
            token.TrySetResult(ActivityExecutionContext.Current!.TaskToken);
            return Task.FromResult<string?>(null);
        })]);

        var run = await h.Client.StartAsync(definition, "manual-1", null);
        var completion = new ActivityCompletionClient(h.Swf);
        Assert.That(await completion.HeartbeatAsync(await token.Task.WaitAsync(TimeSpan.FromSeconds(20)), "still thinking"), Is.False);
        await completion.CompleteAsync(await token.Task, "yes");

        Assert.That(await h.Result(run), Is.EqualTo("yes"));
    }

    [Test]
    public async Task Throttled_polls_and_responses_are_retried_and_never_fail_the_workflow()
    {
        await using var h = new Harness();
        int faults = 0;
        // Every third call is refused: with ThrottlingException, or for polls alternately with LimitExceededFault (SWF's
        // model lists it for polls, not for responses). The workers retry the responses and poll again after either.
        h.Probe.Fault = (operation, _) =>
            operation is "PollForActivityTask" or "RespondDecisionTaskCompleted" or "RespondActivityTaskCompleted" or "PollForDecisionTask"
            && Interlocked.Increment(ref faults) is var n && n % 3 == 1
                ? (n % 2 == 0 && operation.StartsWith("Poll", StringComparison.Ordinal)
                    ? new LimitExceededException("Too many pollers", System.Net.HttpStatusCode.BadRequest, "test")
                    : SwfProbe.Throttled())
                : null;
        var definition = Harness.Workflow("Throttled");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, input) =>
            await Workflow.ExecuteActivityAsync(Shout, await Workflow.ExecuteActivityAsync(Greet, input)))]);
        await h.StartActivityWorker(Activities());

        var run = await h.Client.StartAsync(definition, "throttled-1", "you");

        Assert.That(await h.Result(run), Is.EqualTo("HELLO YOU!"));
        Assert.That(faults, Is.GreaterThan(3));
    }

    [Test]
    public async Task A_response_for_a_task_that_closed_meanwhile_is_a_warning_that_names_both_causes_not_an_error()
    {
        await using var h = new Harness();
        var logs = new CapturingLoggerFactory();
        var slow = Harness.Activity("Outlived");
        var definition = Harness.Workflow("Outlived");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, input) => await Workflow.ExecuteActivityAsync(slow, input))]);
        await h.StartActivityWorker([new(slow, async (input, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return input;
        })], o => o with { LoggerFactory = logs });

        var run = await h.Client.StartAsync(definition, "outlived-1", "x");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await h.Client.TerminateAsync(run, "gone");
        var responded = h.Probe.WhenCalled("RespondActivityTaskCompleted");
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        logs.OnLog = (level, message) =>
        {
            if (message.Contains("RespondActivityTaskCompleted", StringComparison.Ordinal))
                refused.TrySetResult();
        };
        release.SetResult();
        await refused.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(responded.IsCompleted, Is.False, "SWF refused the response");
        var entry = logs.Entries.Single(e => e.Message.Contains("RespondActivityTaskCompleted", StringComparison.Ordinal));
        Assert.That(entry.Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
        Assert.That(entry.Message, Does.Contain("found the task closed").And.Contain("an earlier attempt whose answer was lost"));
    }

    private sealed class CapturingLoggerFactory : Microsoft.Extensions.Logging.ILoggerFactory
    {
        private readonly List<(Microsoft.Extensions.Logging.LogLevel Level, string Message)> _entries = [];

        public Action<Microsoft.Extensions.Logging.LogLevel, string>? OnLog { get; set; }

        public List<(Microsoft.Extensions.Logging.LogLevel Level, string Message)> Entries
        {
            get { lock (_entries) return [.. _entries]; }
        }

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this);
        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider) { }
        public void Dispose() { }

        private sealed class Logger(CapturingLoggerFactory owner) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
                Exception? exception, Func<TState, Exception?, string> formatter)
            {
                string message = formatter(state, exception);
                lock (owner._entries)
                    owner._entries.Add((logLevel, message));
                owner.OnLog?.Invoke(logLevel, message);
            }
        }
    }

    [Test]
    public async Task Workflow_code_that_blocks_fails_the_decision_task_not_the_workflow_and_leaves_the_decision_cache()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Blocking");
        var logs = new TestLoggerFactory();
        var worker = await h.StartWorkflowWorker([Harness.Handler(definition, async (w, _) =>
        {
            var go = false;
            w.Signals["block"] = _ => go = true;
            await Workflow.WaitConditionAsync(() => go);
            Workflow.DelayAsync(TimeSpan.FromMinutes(1)).Wait(); // a deadlock: the timer can fire only after this decision
            return "unreachable";
        })], o => o with { LoggerFactory = logs, ReplayOptions = new() { LoggerFactory = logs, DeadlockDetectionTimeout = TimeSpan.FromMilliseconds(200) } });
        var firstDecision = h.Probe.WhenCalled("RespondDecisionTaskCompleted");
        var run = await h.Client.StartAsync(definition, "blocking-1", null);
        await firstDecision.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(worker.DecisionCacheCount, Is.EqualTo(1), "the first decision's executor is cached");

        await h.Client.SignalAsync(run, "block", null);

        var failed = await logs.WhenLogged(l => l.Contains("Decision task for blocking-1")).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(failed, Does.Contain("WorkflowDeadlockException").And.Contain(".Wait()").And.Contain("is abandoned"));
        await logs.WhenLogged(l => l.Contains("abandoned thread")).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(worker.DecisionCacheCount, Is.Zero, "the blocked run's executor is dropped");
        Assert.That(h.Probe.InputsOf<RespondDecisionTaskCompletedInput>("RespondDecisionTaskCompleted"), Has.Count.EqualTo(1), "no response for the blocked decision");
        var history = await h.History(run);
        Assert.That(history.Select(e => e.EventType), Does.Not.Contain(EventType.WorkflowExecutionFailed));
        Assert.That(history[^1].EventType, Is.EqualTo(EventType.DecisionTaskStarted), "the decision task waits for SWF's timeout and a retry");
    }
}
