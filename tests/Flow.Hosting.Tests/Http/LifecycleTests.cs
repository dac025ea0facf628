using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Flow.Swf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flow.Hosting.Tests.Http;

/// <summary>
/// Whole workflows run by a host (AddFlow: DI, configuration, one workflow and one activity worker) over HTTP against
/// flow dev, with the decision cache and a sticky task list on: activities, failures, retries with durable timers,
/// signals, get-state, cancellation, children, continue-as-new, and the client's terminate, describe, list and count.
/// </summary>
[TestFixture]
[NonParallelizable]
public class LifecycleTests
{
    private static readonly ConcurrentDictionary<string, int> s_attempts = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> s_started = new();

    private IHost _host = null!;
    private SwfClient _swf = null!;
    private WorkflowClient _client = null!;
    private WorkflowWorker _decider = null!;

    private static ActivityDefinition Activity(string name) => new("Life." + name, "1")
    {
        DefaultTaskList = "life-activities",
        DefaultScheduleToStartTimeout = "NONE",
        DefaultStartToCloseTimeout = "60",
        DefaultScheduleToCloseTimeout = "NONE",
        DefaultHeartbeatTimeout = "NONE",
    };

    private static WorkflowDefinition Workflow_(string name) => new("Life." + name, "1")
    {
        DefaultTaskList = "life-decisions",
        DefaultExecutionStartToCloseTimeout = "600",
        DefaultTaskStartToCloseTimeout = "30",
        DefaultChildPolicy = ChildPolicy.Terminate,
    };

    private static readonly ActivityDefinition Greet = Activity("Greet");
    private static readonly ActivityDefinition Broken = Activity("Broken");
    private static readonly ActivityDefinition Flaky = Activity("Flaky");
    private static readonly ActivityDefinition Working = Activity("Working");

    private static readonly WorkflowDefinition Greeting = Workflow_("Greeting");
    private static readonly WorkflowDefinition Failing = Workflow_("Failing");
    private static readonly WorkflowDefinition Retrying = Workflow_("Retrying");
    private static readonly WorkflowDefinition Approval = Workflow_("Approval");
    private static readonly WorkflowDefinition Cancelable = Workflow_("Cancelable");
    private static readonly WorkflowDefinition Child = Workflow_("Child");
    private static readonly WorkflowDefinition Parent = Workflow_("Parent");
    private static readonly WorkflowDefinition Counter = Workflow_("Counter");
    private static readonly WorkflowDefinition Sleeper = Workflow_("Sleeper");
    private static readonly WorkflowDefinition Long = Workflow_("Long");

    private static WorkflowHandler Handler(WorkflowDefinition definition, Func<Instance, string?, Task<string?>> execute) =>
        new(definition, () => new Instance(execute));

    private static IEnumerable<WorkflowHandler> Workflows() =>
    [
        Handler(Greeting, async (_, input) =>
            await Workflow.ExecuteActivityAsync(Greet, input) + " / " + await Workflow.ExecuteActivityAsync(Greet, input + "!")),
        Handler(Failing, async (_, input) =>
        {
            try
            {
                await Workflow.ExecuteActivityAsync(Broken, input);
                return "no failure";
            }
            catch (ActivityFailedException ex)
            {
                return ex.Reason + ": " + ex.ErrorMessage;
            }
        }),
        Handler(Retrying, async (_, input) => await Workflow.ExecuteActivityAsync(Flaky, input, new ActivityOptions
        {
            // Durable one-second timers between attempts.
            RetryPolicy = new RetryPolicy { MaximumAttempts = 5, InitialInterval = TimeSpan.FromSeconds(1), BackoffCoefficient = 1 },
        })),
        Handler(Approval, async (self, _) =>
        {
            string? approver = null;
            self.Signals["Approve"] = input => approver = input;
            self.State = () => approver is null ? "waiting" : "approved by " + approver;
            await Workflow.WaitConditionAsync(() => approver is not null);
            await Workflow.DelayAsync(TimeSpan.FromSeconds(1));
            return "approved by " + approver;
        }),
        Handler(Cancelable, async (self, input) =>
        {
            bool stop = false, finish = false;
            self.Signals["Stop"] = _ => stop = true;
            self.Signals["Finish"] = _ => finish = true;
            var cts = new CancellationTokenSource();
            var activity = Workflow.ExecuteActivityAsync(Working, input, new ActivityOptions { CancellationToken = cts.Token });
            await Workflow.WaitConditionAsync(() => stop);
            cts.Cancel();
            string outcome;
            try
            {
                outcome = "finished: " + await activity;
            }
            catch (ActivityCanceledException)
            {
                outcome = "activity canceled";
            }
            await Workflow.WaitConditionAsync(() => finish);
            return outcome;
        }),
        Handler(Child, (_, input) => Task.FromResult<string?>("child saw " + input)),
        Handler(Parent, async (_, input) => "parent got: " + await Workflow.ExecuteChildWorkflowAsync(Child, input + "!")),
        Handler(Counter, (_, input) =>
        {
            int n = int.Parse(input!, CultureInfo.InvariantCulture);
            if (n < 3)
                throw Workflow.ContinueAsNew(Counter, (n + 1).ToString(CultureInfo.InvariantCulture));
            return Task.FromResult<string?>("reached " + n);
        }),
        Handler(Sleeper, async (_, _) =>
        {
            await Workflow.DelayAsync(TimeSpan.FromDays(1), Workflow.CancellationToken);
            return "slept";
        }),
        Handler(Long, async (_, _) =>
        {
            int total = 0;
            for (int i = 0; i < 10; i++)
                total += (await Workflow.ExecuteActivityAsync(Greet, null))!.Length;
            return total.ToString(CultureInfo.InvariantCulture);
        }),
    ];

    private static IEnumerable<ActivityHandler> Activities() =>
    [
        new(Greet, (input, _) => Task.FromResult<string?>("Hello " + input)),
        new(Broken, (input, _) => throw new InvalidOperationException("broken by " + input)),
        new(Flaky, (input, context) => s_attempts.AddOrUpdate(context.WorkflowExecution.WorkflowId, 1, (_, n) => n + 1) < 3
            ? throw new IOException("try again")
            : Task.FromResult<string?>("third time lucky")),
        new(Working, async (_, context) =>
        {
            s_started.GetOrAdd(context.WorkflowExecution.WorkflowId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            while (true)
            {
                await context.HeartbeatAsync("working");
                await Task.Delay(50, context.CancellationToken);
            }
        }),
    ];

    [OneTimeSetUp]
    public async Task StartHost()
    {
        string domain = "life-" + Guid.NewGuid().ToString("N")[..8];
        _swf = FlowDev.Client(FlowDev.Url);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flow:Domain"] = domain,
            ["Flow:RegisterDomain"] = "true",
            ["Flow:Workflows:StickyTaskList"] = "true",
            ["Flow:Workflows:ShutdownTimeout"] = "00:00:05",
            ["Flow:Activities:HeartbeatThrottleInterval"] = "00:00:00.100",
            ["Flow:Activities:ShutdownTimeout"] = "00:00:05",
        });
        builder.Services.AddFlow(builder.Configuration).UseSwfClient(_swf).AddWorkflows(Workflows()).AddActivities(Activities());
        _host = builder.Build();
        await _host.StartAsync();
        _decider = _host.Services.GetServices<IHostedService>().OfType<FlowWorkersService>().Single().WorkflowWorker!;
        _client = new WorkflowClient(_swf, domain) { ResultPollMaxInterval = TimeSpan.FromMilliseconds(200) };
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        _swf?.Dispose();
    }

    private static string Id(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string?> Result(WorkflowExecution run) => await _client.GetResultAsync(run).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Reads the history until it holds an event of <paramref name="type"/>.</summary>
    private async Task<HistoryEvent> WhenEvent(WorkflowExecution run, EventType type)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if ((await _client.GetHistoryAsync(run)).FirstOrDefault(e => e.EventType == type) is { } found)
                return found;
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
                Assert.Fail($"{run.WorkflowId} has no {type} after 30 s");
            await Task.Delay(50);
        }
    }

    [Test]
    public async Task A_workflow_of_two_activities_completes_with_their_results()
    {
        var run = await _client.StartAsync(Greeting, Id("greeting"), "world");

        Assert.That(await Result(run), Is.EqualTo("Hello world / Hello world!"));
    }

    [Test]
    public async Task An_activity_exception_reaches_the_workflow_as_its_type_and_message_with_json_details_in_the_history()
    {
        var run = await _client.StartAsync(Failing, Id("failing"), "test");

        Assert.That(await Result(run), Is.EqualTo("System.InvalidOperationException: broken by test"));
        var failed = (await _client.GetHistoryAsync(run)).Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes!;
        Assert.That(failed.Reason, Is.EqualTo("System.InvalidOperationException"));
        using var details = JsonDocument.Parse(failed.Details!);
        Assert.That(details.RootElement.GetProperty("type").GetString(), Is.EqualTo("System.InvalidOperationException"));
        Assert.That(details.RootElement.GetProperty("message").GetString(), Is.EqualTo("broken by test"));
        Assert.That(details.RootElement.GetProperty("stack").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task A_failing_activity_is_retried_after_durable_timers_until_it_succeeds()
    {
        var run = await _client.StartAsync(Retrying, Id("retrying"), null);

        Assert.That(await Result(run), Is.EqualTo("third time lucky"));
        var history = await _client.GetHistoryAsync(run);
        Assert.That(history.Count(e => e.EventType == EventType.ActivityTaskFailed), Is.EqualTo(2));
        Assert.That(history.Count(e => e.EventType == EventType.TimerFired), Is.EqualTo(2));
        Assert.That(s_attempts[run.WorkflowId], Is.EqualTo(3));
    }

    [Test]
    public async Task A_signal_reaches_a_waiting_workflow_get_state_reads_its_state_and_a_timer_fires()
    {
        var run = await _client.StartAsync(Approval, Id("approval"), null);
        await WhenEvent(run, EventType.DecisionTaskCompleted);

        Assert.That(await _client.GetStateAsync(run), Is.EqualTo("waiting"));
        await _client.SignalAsync(run, "Approve", "alice");

        Assert.That(await Result(run), Is.EqualTo("approved by alice"));
        Assert.That(await _client.GetStateAsync(run), Is.EqualTo("approved by alice"));
        var history = await _client.GetHistoryAsync(run);
        Assert.That(history.Select(e => e.EventType), Does.Contain(EventType.WorkflowExecutionSignaled).And.Contain(EventType.TimerFired));
    }

    [Test]
    public async Task A_cancelled_activity_sees_its_token_fire_through_its_heartbeat_and_is_reported_canceled()
    {
        var run = await _client.StartAsync(Cancelable, Id("cancelable"), null);
        await s_started.GetOrAdd(run.WorkflowId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(30));

        await _client.SignalAsync(run, "Stop", null);
        await WhenEvent(run, EventType.ActivityTaskCanceled);
        await _client.SignalAsync(run, "Finish", null);

        Assert.That(await Result(run), Is.EqualTo("activity canceled"));
        var types = (await _client.GetHistoryAsync(run)).Select(e => e.EventType).ToList();
        Assert.That(types.IndexOf(EventType.ActivityTaskCancelRequested), Is.LessThan(types.IndexOf(EventType.ActivityTaskCanceled)));
    }

    [Test]
    public async Task A_cancel_request_closes_a_waiting_workflow_as_canceled()
    {
        var run = await _client.StartAsync(Sleeper, Id("sleeper"), null);
        await WhenEvent(run, EventType.TimerStarted);

        await _client.RequestCancelAsync(run);

        Assert.ThrowsAsync<WorkflowCanceledException>(() => Result(run));
        Assert.That((await _client.GetHistoryAsync(run)).Select(e => e.EventType), Does.Contain(EventType.TimerCanceled));
    }

    [Test]
    public async Task A_parent_awaits_its_child_workflow()
    {
        var run = await _client.StartAsync(Parent, Id("parent"), "hi");

        Assert.That(await Result(run), Is.EqualTo("parent got: child saw hi!"));
    }

    [Test]
    public async Task Continue_as_new_starts_new_runs_that_the_client_follows_to_the_last()
    {
        var run = await _client.StartAsync(Counter, Id("counter"), "1");

        Assert.That(await _client.GetResultAsync(run, followContinueAsNew: true).WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("reached 3"));
        Assert.ThrowsAsync<WorkflowContinuedAsNewException>(() => Result(run));
    }

    [Test]
    public async Task Terminate_describe_list_and_count_see_the_run_open_then_closed()
    {
        string id = Id("sleeper");
        var run = await _client.StartAsync(Sleeper, id, null, new WorkflowStartOptions { TagList = ["life"] });
        await WhenEvent(run, EventType.TimerStarted);

        Assert.That((await _client.DescribeAsync(run)).ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Open));
        var open = new WorkflowExecutionQuery { WorkflowId = id };
        Assert.That(await _client.ListOpenAsync(open).Select(i => i.Execution.RunId).ToListAsync(), Is.EqualTo(new[] { run.RunId }));
        Assert.That((await _client.CountOpenAsync(new WorkflowExecutionQuery { Tag = "life" })).Count, Is.GreaterThanOrEqualTo(1));

        await _client.TerminateAsync(run, "operator says stop");

        var ex = Assert.ThrowsAsync<WorkflowTerminatedException>(() => Result(run));
        Assert.That(ex!.Reason, Is.EqualTo("operator says stop"));
        Assert.That((await _client.DescribeAsync(run)).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Terminated));
        Assert.That(await _client.ListClosedAsync(open).Select(i => i.Execution.RunId).ToListAsync(), Is.EqualTo(new[] { run.RunId }));
        Assert.That((await _client.CountClosedAsync(new WorkflowExecutionQuery { CloseStatus = CloseStatus.Terminated })).Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Over_http_later_decisions_go_to_the_sticky_task_list_and_are_decision_cache_hits()
    {
        long hits = _decider.DecisionCacheHits;
        var run = await _client.StartAsync(Long, Id("long"), null);

        Assert.That(await Result(run), Is.EqualTo("60"));
        var lists = (await _client.GetHistoryAsync(run)).Where(e => e.EventType == EventType.DecisionTaskScheduled)
            .Select(e => e.DecisionTaskScheduledEventAttributes!.TaskList.Name).ToList();
        Assert.That(lists[0], Is.EqualTo("life-decisions"));
        Assert.That(lists.Skip(1), Is.All.EqualTo(_decider.StickyTaskList));
        Assert.That(_decider.DecisionCacheHits - hits, Is.GreaterThanOrEqualTo(10), "each decision after the first applied only its new events");
    }

    internal sealed class Instance(Func<Instance, string?, Task<string?>> execute) : IWorkflowInstance
    {
        public Dictionary<string, Action<string?>> Signals { get; } = [];
        public Func<string?>? State { get; set; }

        public Task<string?> ExecuteAsync(string? input) => execute(this, input);

        public Task? HandleSignal(string signalName, string? input)
        {
            if (!Signals.TryGetValue(signalName, out var handler))
                return null;
            handler(input);
            return Task.CompletedTask;
        }

        public string? GetState() => State?.Invoke();
    }
}
