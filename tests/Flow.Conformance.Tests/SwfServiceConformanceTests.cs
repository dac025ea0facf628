using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf;

/// <summary>
/// The wire client against a real SWF-compatible service over HTTP. Each service gets a subclass that
/// starts it; the tests are the same. Where a service departs from the SWF API reference, the test
/// says so through <see cref="Departures"/>.
/// </summary>
public abstract class SwfServiceConformanceTests
{
    private const string DecisionList = "decisions";
    private const string ActivityList = "activities";
    private static readonly WorkflowType OrdersRun = new() { Name = "Orders.Run", Version = "1.0" };
    private static readonly ActivityType Charge = new() { Name = "Orders.Charge", Version = "1.0" };

    private IDisposable? _service;

    protected SwfClient Client { get; private set; } = null!;

    /// <summary>What this service does not do as SWF does.</summary>
    protected abstract ServiceDepartures Departures { get; }

    protected abstract Task<(Uri Url, IDisposable Service)> StartServiceAsync();

    [OneTimeSetUp]
    public async Task StartService()
    {
        var (url, service) = await StartServiceAsync();
        _service = service;
        Client = new SwfClient(TestClients.Options(url) with { MaxAttempts = 2 });
    }

    [OneTimeTearDown]
    public void StopService()
    {
        Client?.Dispose();
        _service?.Dispose();
    }

    private async Task<string> NewDomainAsync()
    {
        string domain = "flow-" + Guid.NewGuid().ToString("N")[..12];
        await Client.RegisterDomainAsync(new RegisterDomainInput { Name = domain, WorkflowExecutionRetentionPeriodInDays = "1" });
        await Client.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
        {
            Domain = domain,
            Name = OrdersRun.Name,
            Version = OrdersRun.Version,
            DefaultTaskList = new TaskList { Name = DecisionList },
            DefaultExecutionStartToCloseTimeout = "3600",
            DefaultTaskStartToCloseTimeout = "60",
            DefaultChildPolicy = ChildPolicy.Terminate,
        });
        await Client.RegisterActivityTypeAsync(new RegisterActivityTypeInput
        {
            Domain = domain,
            Name = Charge.Name,
            Version = Charge.Version,
            DefaultTaskList = new TaskList { Name = ActivityList },
            DefaultTaskScheduleToStartTimeout = "60",
            DefaultTaskScheduleToCloseTimeout = "120",
            DefaultTaskStartToCloseTimeout = "60",
            DefaultTaskHeartbeatTimeout = "NONE",
        });
        return domain;
    }

    private Task<Run> StartAsync(string domain, string workflowId, string? input = null) =>
        Client.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
        {
            Domain = domain,
            WorkflowId = workflowId,
            WorkflowType = OrdersRun,
            Input = input,
            TagList = ["flow-test"],
        });

    private async Task<DecisionTask> PollDecisionAsync(string domain)
    {
        var task = await Client.PollForDecisionTaskAsync(new PollForDecisionTaskInput
        {
            Domain = domain,
            TaskList = new TaskList { Name = DecisionList },
            Identity = "decider-1",
        });
        Assert.That(task.TaskToken, Is.Not.Empty, "a decision task was expected");
        return task;
    }

    private async Task<List<EventType>> HistoryAsync(string domain, string workflowId, string runId, bool reverse = false)
    {
        var types = new List<EventType>();
        await foreach (var e in Client.GetWorkflowExecutionHistoryEventsAsync(new GetWorkflowExecutionHistoryInput
        {
            Domain = domain,
            Execution = new WorkflowExecution { WorkflowId = workflowId, RunId = runId },
            ReverseOrder = reverse,
        }))
        {
            types.Add(e.EventType);
        }
        return types;
    }

    [Test]
    public async Task A_workflow_runs_from_start_through_an_activity_to_completion()
    {
        string domain = await NewDomainAsync();
        var run = await StartAsync(domain, "order-1", input: "order #1");

        var first = await PollDecisionAsync(domain);
        Assert.That(first.WorkflowExecution.RunId, Is.EqualTo(run.RunId));
        Assert.That(first.WorkflowType.Name, Is.EqualTo(OrdersRun.Name));
        Assert.That(first.Events.Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted,
        }));
        Assert.That(first.Events[0].WorkflowExecutionStartedEventAttributes!.Input, Is.EqualTo("order #1"));

        await Client.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput
        {
            TaskToken = first.TaskToken,
            Decisions =
            [
                new Decision
                {
                    DecisionType = DecisionType.ScheduleActivityTask,
                    ScheduleActivityTaskDecisionAttributes = new ScheduleActivityTaskDecisionAttributes
                    {
                        ActivityType = Charge,
                        ActivityId = "charge-1",
                        Input = "42.00",
                        TaskList = new TaskList { Name = ActivityList },
                    },
                },
            ],
        });

        var pending = await Client.CountPendingActivityTasksAsync(new CountPendingActivityTasksInput
        {
            Domain = domain,
            TaskList = new TaskList { Name = ActivityList },
        });
        Assert.That(pending.Count, Is.EqualTo(1));

        var activity = await Client.PollForActivityTaskAsync(new PollForActivityTaskInput
        {
            Domain = domain,
            TaskList = new TaskList { Name = ActivityList },
            Identity = "worker-1",
        });
        Assert.That(activity.ActivityId, Is.EqualTo("charge-1"));
        Assert.That(activity.Input, Is.EqualTo("42.00"));
        Assert.That(activity.ActivityType.Name, Is.EqualTo(Charge.Name));

        var heartbeat = await Client.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = activity.TaskToken, Details = "half way" });
        Assert.That(heartbeat.CancelRequested, Is.False);

        await Client.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = activity.TaskToken, Result = "paid" });

        var second = await PollDecisionAsync(domain);
        var completed = second.Events.Single(e => e.EventType == EventType.ActivityTaskCompleted);
        Assert.That(completed.ActivityTaskCompletedEventAttributes!.Result, Is.EqualTo("paid"));
        Assert.That(second.PreviousStartedEventId, Is.EqualTo(3));

        await Client.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput
        {
            TaskToken = second.TaskToken,
            Decisions =
            [
                new Decision
                {
                    DecisionType = DecisionType.CompleteWorkflowExecution,
                    CompleteWorkflowExecutionDecisionAttributes = new CompleteWorkflowExecutionDecisionAttributes { Result = "done" },
                },
            ],
        });

        var history = await HistoryAsync(domain, "order-1", run.RunId!);
        Assert.That(history, Is.EqualTo(new[]
        {
            EventType.WorkflowExecutionStarted,
            EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted, EventType.DecisionTaskCompleted,
            EventType.ActivityTaskScheduled, EventType.ActivityTaskStarted, EventType.ActivityTaskCompleted,
            EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted, EventType.DecisionTaskCompleted,
            EventType.WorkflowExecutionCompleted,
        }));
        Assert.That(await HistoryAsync(domain, "order-1", run.RunId!, reverse: true), Is.EqualTo(history.AsEnumerable().Reverse()));

        var detail = await Client.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionInput
        {
            Domain = domain,
            Execution = new WorkflowExecution { WorkflowId = "order-1", RunId = run.RunId! },
        });
        Assert.That(detail.ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Closed));
        Assert.That(detail.ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Completed));

        var closed = await Client.ListAllClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsInput
        {
            Domain = domain,
            StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UtcNow.AddHours(-1) },
        }).Select(e => e.Execution.WorkflowId).ToListAsync();
        Assert.That(closed, Is.EqualTo(new[] { "order-1" }));
    }

    [Test]
    public async Task Describe_list_and_count_report_a_registered_domain_its_types_and_an_open_execution()
    {
        string domain = await NewDomainAsync();
        var run = await StartAsync(domain, "order-2");

        var domainDetail = await Client.DescribeDomainAsync(new DescribeDomainInput { Name = domain });
        Assert.That(domainDetail.DomainInfo.Status, Is.EqualTo(RegistrationStatus.Registered));
        Assert.That(domainDetail.Configuration.WorkflowExecutionRetentionPeriodInDays, Is.EqualTo("1"));

        var workflowType = await Client.DescribeWorkflowTypeAsync(new DescribeWorkflowTypeInput { Domain = domain, WorkflowType = OrdersRun });
        Assert.That(workflowType.Configuration.DefaultTaskList!.Name, Is.EqualTo(DecisionList));
        var activityType = await Client.DescribeActivityTypeAsync(new DescribeActivityTypeInput { Domain = domain, ActivityType = Charge });
        Assert.That(activityType.Configuration.DefaultTaskStartToCloseTimeout, Is.EqualTo("60"));

        var domains = await Client.ListAllDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered })
            .Select(d => d.Name).ToListAsync();
        Assert.That(domains, Does.Contain(domain));
        var workflowTypes = await Client.ListAllWorkflowTypesAsync(new ListWorkflowTypesInput { Domain = domain, RegistrationStatus = RegistrationStatus.Registered })
            .Select(t => t.WorkflowType.Name).ToListAsync();
        Assert.That(workflowTypes, Is.EqualTo(new[] { OrdersRun.Name }));
        var activityTypes = await Client.ListAllActivityTypesAsync(new ListActivityTypesInput { Domain = domain, RegistrationStatus = RegistrationStatus.Registered })
            .Select(t => t.ActivityType.Name).ToListAsync();
        Assert.That(activityTypes, Is.EqualTo(new[] { Charge.Name }));

        var open = await Client.ListAllOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
        {
            Domain = domain,
            StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UtcNow.AddHours(-1) },
        }).ToListAsync();
        Assert.That(open.Select(e => e.Execution.RunId), Is.EqualTo(new[] { run.RunId }));
        Assert.That(open[0].TagList, Is.EqualTo(new[] { "flow-test" }));

        var pendingDecisions = await Client.CountPendingDecisionTasksAsync(new CountPendingDecisionTasksInput
        {
            Domain = domain,
            TaskList = new TaskList { Name = DecisionList },
        });
        Assert.That(pendingDecisions.Count, Is.EqualTo(1));

        var detail = await Client.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionInput
        {
            Domain = domain,
            Execution = new WorkflowExecution { WorkflowId = "order-2", RunId = run.RunId! },
        });
        Assert.That(detail.ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Open));
        Assert.That(detail.OpenCounts.OpenDecisionTasks, Is.EqualTo(1));
        Assert.That(detail.ExecutionConfiguration.ChildPolicy, Is.EqualTo(ChildPolicy.Terminate));

        if (Departures.LacksCountExecutions)
            return;
        var count = await Client.CountOpenWorkflowExecutionsAsync(new CountOpenWorkflowExecutionsInput
        {
            Domain = domain,
            StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UtcNow.AddHours(-1) },
        });
        Assert.That(count.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task A_signal_is_recorded_in_the_history_with_its_input()
    {
        string domain = await NewDomainAsync();
        var run = await StartAsync(domain, "order-3");

        await Client.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput
        {
            Domain = domain,
            WorkflowId = "order-3",
            SignalName = "approve",
            Input = "yes",
        });

        var signaled = await Client.GetWorkflowExecutionHistoryEventsAsync(new GetWorkflowExecutionHistoryInput
        {
            Domain = domain,
            Execution = new WorkflowExecution { WorkflowId = "order-3", RunId = run.RunId! },
        }).SingleAsync(e => e.EventType == EventType.WorkflowExecutionSignaled);
        Assert.That(signaled.WorkflowExecutionSignaledEventAttributes!.SignalName, Is.EqualTo("approve"));
        Assert.That(signaled.WorkflowExecutionSignaledEventAttributes.Input, Is.EqualTo("yes"));
    }

    [Test]
    public async Task A_terminated_execution_is_closed_as_terminated_with_its_reason()
    {
        string domain = await NewDomainAsync();
        var run = await StartAsync(domain, "order-4");

        await Client.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput
        {
            Domain = domain,
            WorkflowId = "order-4",
            Reason = "customer left",
        });

        var execution = new WorkflowExecution { WorkflowId = "order-4", RunId = run.RunId! };
        var detail = await Client.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionInput { Domain = domain, Execution = execution });
        Assert.That(detail.ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Terminated));
        var last = await Client.GetWorkflowExecutionHistoryEventsAsync(new GetWorkflowExecutionHistoryInput { Domain = domain, Execution = execution, ReverseOrder = true })
            .FirstAsync();
        Assert.That(last.EventType, Is.EqualTo(EventType.WorkflowExecutionTerminated));
        Assert.That(last.WorkflowExecutionTerminatedEventAttributes!.Reason, Is.EqualTo("customer left"));
    }

    [Test]
    public async Task Registering_a_domain_twice_is_a_DomainAlreadyExistsFault()
    {
        string domain = await NewDomainAsync();

        var thrown = Assert.ThrowsAsync<DomainAlreadyExistsException>(() =>
            Client.RegisterDomainAsync(new RegisterDomainInput { Name = domain, WorkflowExecutionRetentionPeriodInDays = "1" }));

        Assert.That(thrown!.Message, Is.Not.Empty);
    }

    [Test]
    public async Task Registering_a_type_twice_is_a_TypeAlreadyExistsFault()
    {
        string domain = await NewDomainAsync();

        Assert.ThrowsAsync<TypeAlreadyExistsException>(() => Client.RegisterActivityTypeAsync(
            new RegisterActivityTypeInput { Domain = domain, Name = Charge.Name, Version = Charge.Version }));
    }

    [Test]
    public async Task Starting_an_open_workflow_id_again_is_a_WorkflowExecutionAlreadyStartedFault()
    {
        string domain = await NewDomainAsync();
        await StartAsync(domain, "order-5");

        Assert.ThrowsAsync<WorkflowExecutionAlreadyStartedException>(() => StartAsync(domain, "order-5"));
    }

    [Test]
    public void Describing_an_unknown_domain_is_an_UnknownResourceFault_with_the_request_id()
    {
        var thrown = Assert.ThrowsAsync<UnknownResourceException>(() =>
            Client.DescribeDomainAsync(new DescribeDomainInput { Name = "flow-no-such-domain" }));

        Assert.That(thrown!.Message, Does.Contain("flow-no-such-domain"));
        Assert.That(thrown.RequestId, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public async Task Starting_a_deprecated_workflow_type_is_a_TypeDeprecatedFault()
    {
        string domain = await NewDomainAsync();
        await Client.DeprecateWorkflowTypeAsync(new DeprecateWorkflowTypeInput { Domain = domain, WorkflowType = OrdersRun });

        Assert.ThrowsAsync<TypeDeprecatedException>(() => StartAsync(domain, "order-6"));
    }

    [Test]
    public async Task Deprecating_a_deprecated_domain_is_a_DomainDeprecatedFault()
    {
        string domain = await NewDomainAsync();
        await Client.DeprecateDomainAsync(new DeprecateDomainInput { Name = domain });

        Assert.ThrowsAsync<DomainDeprecatedException>(() => Client.DeprecateDomainAsync(new DeprecateDomainInput { Name = domain }));
    }

    [Test]
    public async Task Starting_a_workflow_with_no_task_list_given_or_default_is_a_DefaultUndefinedFault()
    {
        string domain = await NewDomainAsync();
        await Client.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput { Domain = domain, Name = "NoDefaults", Version = "1" });

        Assert.ThrowsAsync<DefaultUndefinedException>(() => Client.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
        {
            Domain = domain,
            WorkflowId = "order-7",
            WorkflowType = new WorkflowType { Name = "NoDefaults", Version = "1" },
        }));
    }

    [Test]
    public void Operations_the_service_lacks_surface_as_service_errors_naming_the_HTTP_status()
    {
        if (!Departures.LacksCountExecutions)
            Assert.Ignore("This service implements CountClosedWorkflowExecutions.");

        var thrown = Assert.CatchAsync<SwfException>(() => Client.CountClosedWorkflowExecutionsAsync(new CountClosedWorkflowExecutionsInput
        {
            Domain = "flow-any",
            StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UtcNow.AddHours(-1) },
        }));

        Assert.That(thrown!.ErrorCode, Does.StartWith("HttpStatus"));
        Assert.That(thrown.Message, Does.Contain("CountClosedWorkflowExecutions").And.Contain("HTTP " + (int)thrown.StatusCode));
    }

    protected sealed record ServiceDepartures
    {
        /// <summary>CountOpen/ClosedWorkflowExecutions are not implemented.</summary>
        public bool LacksCountExecutions { get; init; }
    }
}

/// <summary>
/// Against moto_server 5.x. Where moto departs from the SWF API reference: it lacks
/// CountOpen/ClosedWorkflowExecutions, RequestCancelWorkflowExecution, RespondActivityTaskCanceled and
/// DeleteActivity/WorkflowType (it answers them with an HTML 500 page); it does not long-poll (an empty
/// poll returns at once); it ignores maximumPageSize and never pages; it does not check signatures;
/// SignalWorkflowExecution without an input fails with a 500 (the input is optional in SWF).
/// </summary>
[TestFixture]
public sealed class MotoServerConformanceTests : SwfServiceConformanceTests
{
    protected override ServiceDepartures Departures { get; } = new() { LacksCountExecutions = true };

    protected override async Task<(Uri Url, IDisposable Service)> StartServiceAsync()
    {
        var moto = await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
        return (moto.Url, moto);
    }
}

/// <summary>Against <c>flow dev</c> (the built Flow.Cli.dll, in memory), which departs from SWF nowhere these tests look.</summary>
[TestFixture]
public sealed class FlowDevConformanceTests : SwfServiceConformanceTests
{
    protected override ServiceDepartures Departures { get; } = new();

    protected override async Task<(Uri Url, IDisposable Service)> StartServiceAsync()
    {
        var dev = await Flow.Cli.Tests.DevServer.StartAsync("--memory");
        return (dev.Url, new Stopper(dev));
    }

    private sealed class Stopper(Flow.Cli.Tests.DevServer dev) : IDisposable
    {
        public void Dispose() => dev.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
