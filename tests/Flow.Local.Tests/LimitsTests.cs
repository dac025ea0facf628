using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

public class LimitsTests
{
    Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void An_execution_that_reaches_25000_events_is_terminated_with_EVENT_LIMIT_EXCEEDED()
    {
        var wf = _h.Start();
        var signal = new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "s" };
        for (var i = 0; i < LocalSwf.EventLimit && _h.Describe(wf).ExecutionInfo.ExecutionStatus == ExecutionStatus.Open; i += 1000)
            for (var j = 0; j < 1000; j++)
                try
                {
                    _h.Engine.SignalWorkflowExecution(signal);
                }
                catch (UnknownResourceException)
                {
                    break;
                }
        var last = Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
        {
            Domain = Domain, Execution = wf, ReverseOrder = true, MaximumPageSize = 1,
        })).Events.Single();
        Assert.That(last.EventType, Is.EqualTo(EventType.WorkflowExecutionTerminated));
        Assert.That(last.WorkflowExecutionTerminatedEventAttributes!.Cause, Is.EqualTo(WorkflowExecutionTerminatedCause.EventLimitExceeded));
    }

    [Test]
    public void A_poll_past_the_task_lists_poller_limit_is_refused_with_LimitExceededFault_until_a_held_one_is_answered()
    {
        using var h = new Harness(maxPollers: 2);
        PollForActivityTaskInput Activities(string list = ActivityList) => new() { Domain = Domain, TaskList = new TaskList { Name = list } };
        PollForDecisionTaskInput Decisions() => new() { Domain = Domain, TaskList = new TaskList { Name = Harness.Decisions } };
        using var cts = new CancellationTokenSource();
        var held = new[] { h.Swf.PollForActivityTaskAsync(Activities(), cts.Token), h.Swf.PollForActivityTaskAsync(Activities()) };
        var decisions = new[] { h.Swf.PollForDecisionTaskAsync(Decisions()), h.Swf.PollForDecisionTaskAsync(Decisions()) };
        Assert.That(held.Concat<Task>(decisions).All(t => !t.IsCompleted), Is.True, "four polls held");

        Assert.That(() => Run(h.Swf.PollForActivityTaskAsync(Activities())),
            Throws.TypeOf<LimitExceededException>().With.Property("ErrorCode").EqualTo("LimitExceededFault"));
        Assert.That(() => Run(h.Swf.PollForDecisionTaskAsync(Decisions())),
            Throws.TypeOf<LimitExceededException>().With.Property("ErrorCode").EqualTo("LimitExceededFault"));
        Assert.That(h.Swf.PollForActivityTaskAsync(Activities("another")).IsCompleted, Is.False, "another task list has its own limit");

        cts.Cancel();
        Assert.That(() => Run(held[0]), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(h.Swf.PollForActivityTaskAsync(Activities()).IsCompleted, Is.False, "a withdrawn poll makes room");
    }

    [Test]
    public void A_poll_already_cancelled_on_a_full_task_list_is_cancelled_not_refused()
    {
        using var h = new Harness(maxPollers: 1);
        var input = new PollForActivityTaskInput { Domain = Domain, TaskList = new TaskList { Name = ActivityList } };
        var held = h.Swf.PollForActivityTaskAsync(input);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.That(() => Run(h.Swf.PollForActivityTaskAsync(input, cancelled.Token)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(held.IsCompleted, Is.False, "the held poll is still held");
    }

    [Test]
    public void The_hundred_and_first_domain_is_refused_with_LimitExceededFault_deprecated_ones_included()
    {
        for (var i = 1; i < LocalSwf.DomainLimit; i++)
            _h.Engine.RegisterDomain(new RegisterDomainInput { Name = $"d{i}", WorkflowExecutionRetentionPeriodInDays = "1" });
        Run(_h.Swf.DeprecateDomainAsync(new DeprecateDomainInput { Name = "d1" }));
        Assert.That(() => Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = "one-more", WorkflowExecutionRetentionPeriodInDays = "1" })),
            Throws.TypeOf<LimitExceededException>().With.Property("ErrorCode").EqualTo("LimitExceededFault"));
        Assert.That(() => Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = "d2", WorkflowExecutionRetentionPeriodInDays = "1" })),
            Throws.TypeOf<DomainAlreadyExistsException>(), "a name in use is still reported as such");
    }

    [Test]
    public void The_ten_thousand_and_first_type_of_a_kind_is_refused_until_a_deprecated_one_is_deleted()
    {
        // The harness registered one activity type and one workflow type.
        for (var i = 1; i < LocalSwf.TypeLimit; i++)
            _h.Engine.RegisterActivityType(new RegisterActivityTypeInput { Domain = Domain, Name = "A", Version = $"{i}" });
        var more = new RegisterActivityTypeInput { Domain = Domain, Name = "A", Version = "more" };
        Assert.That(() => Run(_h.Swf.RegisterActivityTypeAsync(more)), Throws.TypeOf<LimitExceededException>());
        Run(_h.Swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput { Domain = Domain, Name = "W", Version = "1" }));
        Run(_h.Swf.DeprecateActivityTypeAsync(new DeprecateActivityTypeInput { Domain = Domain, ActivityType = new ActivityType { Name = "A", Version = "1" } }));
        Assert.That(() => Run(_h.Swf.RegisterActivityTypeAsync(more)), Throws.TypeOf<LimitExceededException>(), "deprecated types count");
        Run(_h.Swf.DeleteActivityTypeAsync(new DeleteActivityTypeInput { Domain = Domain, ActivityType = new ActivityType { Name = "A", Version = "1" } }));
        Run(_h.Swf.RegisterActivityTypeAsync(more));
    }

    [Test]
    public void The_hundred_thousand_and_first_open_execution_is_refused_and_a_child_fails_with_OPEN_WORKFLOWS_LIMIT_EXCEEDED()
    {
        var parent = _h.Start("parent");
        var start = new StartWorkflowExecutionInput { Domain = Domain, WorkflowType = new WorkflowType { Name = "Flow", Version = "1" }, TaskList = new TaskList { Name = "idle" } };
        for (var i = 1; i < LocalSwf.OpenExecutionLimit; i++)
        {
            start.WorkflowId = $"w{i}";
            _h.Engine.StartWorkflowExecution(start);
        }
        Assert.That(() => _h.Start("one-more"), Throws.TypeOf<LimitExceededException>());
        _h.Decide(_h.PollDecision(), new Decision
        {
            DecisionType = DecisionType.StartChildWorkflowExecution,
            StartChildWorkflowExecutionDecisionAttributes = new() { WorkflowId = "child", WorkflowType = new WorkflowType { Name = "Flow", Version = "1" } },
        });
        var failed = _h.History(parent).Single(e => e.EventType == EventType.StartChildWorkflowExecutionFailed).StartChildWorkflowExecutionFailedEventAttributes!;
        Assert.That((failed.Cause, failed.InitiatedEventId), Is.EqualTo((StartChildWorkflowExecutionFailedCause.OpenWorkflowsLimitExceeded, 5L)));
        Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = "w1" }));
        _h.Start("one-more");
    }

    [Test]
    public void A_closed_execution_is_forgotten_after_the_domains_retention_period()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), Complete());
        _h.Advance(TimeSpan.FromHours(23));
        Assert.That(_h.History(wf), Is.Not.Empty);
        _h.Advance(TimeSpan.FromHours(1));
        Assert.That(() => _h.History(wf), Throws.TypeOf<UnknownResourceException>());
    }

    [Test]
    public void A_forgotten_execution_is_not_kept_alive_by_its_timeouts_still_to_come()
    {
        var history = RunAndForget();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.That(history.IsAlive, Is.False, "the run's year-long execution timeout still held its history");
    }

    /// <summary>Completes a run with a year's execution timeout and a day's retention, lets the day pass, and
    /// returns a weak handle on the engine's own copy of its history.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    WeakReference RunAndForget()
    {
        var wf = _h.Start("long", configure: s =>
        {
            s.ExecutionStartToCloseTimeout = "31536000";
            s.TagList = ["x"];
        });
        _h.Decide(_h.PollDecision(), StartTimer("t", "2000000"), ScheduleActivity("a", configure: a => a.ScheduleToCloseTimeout = "3000000"), Complete());
        var own = new LocalSwfClient(_h.Engine, copy: false, awaitCommits: false);
        var events = Run(own.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput { Domain = Domain, Execution = wf })).Events;
        _h.Advance(TimeSpan.FromDays(1));
        Assert.That(() => _h.History(wf), Throws.TypeOf<UnknownResourceException>());
        return new WeakReference(events[0]);
    }

    [TestCase("NONE")]
    [TestCase("0")]
    public void A_domain_that_retains_nothing_forgets_an_execution_as_it_closes(string retention)
    {
        Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = "brief", WorkflowExecutionRetentionPeriodInDays = retention }));
        Assert.That(Run(_h.Swf.DescribeDomainAsync(new DescribeDomainInput { Name = "brief" })).Configuration.WorkflowExecutionRetentionPeriodInDays,
            Is.EqualTo(retention));
        Run(_h.Swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
        {
            Domain = "brief", Name = "W", Version = "1", DefaultTaskList = new TaskList { Name = "b" }, DefaultExecutionStartToCloseTimeout = "60",
            DefaultTaskStartToCloseTimeout = "10", DefaultChildPolicy = ChildPolicy.Terminate,
        }));
        var run = Run(_h.Swf.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
        {
            Domain = "brief", WorkflowId = "w", WorkflowType = new WorkflowType { Name = "W", Version = "1" },
        }));
        var wf = new WorkflowExecution { WorkflowId = "w", RunId = run.RunId! };
        Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = "brief", WorkflowId = "w" }));
        Assert.That(() => Run(_h.Swf.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionInput { Domain = "brief", Execution = wf })),
            Throws.TypeOf<UnknownResourceException>());
        Assert.That(Run(_h.Swf.CountClosedWorkflowExecutionsAsync(new CountClosedWorkflowExecutionsInput
        {
            Domain = "brief", StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch },
        })).Count, Is.Zero);
    }

    [TestCase("91")]
    [TestCase("-1")]
    [TestCase("seven")]
    [TestCase("")]
    public void A_retention_period_beyond_90_days_or_not_a_number_is_a_validation_error(string retention)
    {
        Assert.That(() => Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = "r", WorkflowExecutionRetentionPeriodInDays = retention })),
            Throws.TypeOf<SwfValidationException>());
    }

    [Test]
    public void Changing_an_input_after_the_call_does_not_change_what_was_recorded()
    {
        var start = new StartWorkflowExecutionInput
        {
            Domain = Domain, WorkflowId = "w", WorkflowType = new WorkflowType { Name = "Flow", Version = "1" }, TagList = ["a"],
        };
        var run = Run(_h.Swf.StartWorkflowExecutionAsync(start));
        start.TagList[0] = "changed";
        start.WorkflowType.Name = "changed";
        var history = _h.History(new WorkflowExecution { WorkflowId = "w", RunId = run.RunId! });
        history[0].WorkflowExecutionStartedEventAttributes!.TagList![0] = "mutated by a reader";
        var again = _h.History(new WorkflowExecution { WorkflowId = "w", RunId = run.RunId! })[0].WorkflowExecutionStartedEventAttributes!;
        Assert.That((again.TagList![0], again.WorkflowType.Name), Is.EqualTo(("a", "Flow")));
    }

    [Test]
    public void Inputs_beyond_the_models_limits_are_validation_errors()
    {
        Assert.That(() => Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput
        {
            Domain = Domain, WorkflowId = "w", SignalName = "s", Input = new string('x', 32769),
        })), Throws.TypeOf<SwfValidationException>().With.Property("ErrorCode").EqualTo("ValidationException"));
        Assert.That(() => Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
        {
            Domain = Domain, Execution = new WorkflowExecution { WorkflowId = "w", RunId = "r" }, MaximumPageSize = 1001,
        })), Throws.TypeOf<SwfValidationException>());
        Assert.That(() => Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = "", WorkflowExecutionRetentionPeriodInDays = "1" })),
            Throws.TypeOf<SwfValidationException>());
    }
}

public class ForgedTokenTests
{
    Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    static string Token(params string[] parts) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));

    // Tokens are opaque to clients, but a client can send anything: cursors before the first event, past the
    // last, negative or not numbers at all.
    static IEnumerable<string[]> Cursors() =>
    [
        ["0", "0", "3", "f"], ["-1", "-5", "3", "f"], ["0", "1", "3", "r"], ["2", "0", "3", "r"], ["99", "1", "999", "f"],
        ["x", "1", "3", "f"], ["1", "1", "9223372036854775807", "f"], ["-9223372036854775808", "-9223372036854775808", "3", "r"],
    ];

    [TestCaseSource(nameof(Cursors))]
    public void A_forged_history_page_token_is_a_validation_error(string[] cursor)
    {
        var wf = _h.Start();
        _h.PollDecision();
        Assert.That(() => Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
        {
            Domain = Domain, Execution = wf, NextPageToken = Token(["h", wf.RunId, .. cursor]),
        })), Throws.TypeOf<SwfValidationException>());
        Assert.That(() => Run(_h.Swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput
        {
            Domain = Domain, TaskList = new TaskList { Name = Decisions }, NextPageToken = Token(["d", wf.RunId, .. cursor, "0"]),
        })), Throws.TypeOf<SwfValidationException>());
    }

    [Test]
    public void A_task_token_built_by_hand_for_another_pollers_open_task_is_refused_and_the_real_one_still_works()
    {
        var wf = _h.Start();
        var task = _h.PollDecision();
        // The old token format, which anyone knowing the (public) run id could build.
        foreach (var forged in new[] { Token("d", wf.RunId, "3"), Token("d", wf.RunId, "3", "AAAAAAAAAAAAAAAAAAAAAA") })
            Assert.That(() => _h.Decide(new DecisionTask { TaskToken = forged }, ScheduleActivity("a")), Throws.TypeOf<UnknownResourceException>());
        Assert.That(_h.EventTypes(wf), Does.Not.Contain(EventType.DecisionTaskCompleted));
        _h.Decide(task, ScheduleActivity("a"));
        var work = _h.PollActivity();
        Assert.That(() => Run(_h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = Token("a", wf.RunId, "5", "6") })),
            Throws.TypeOf<UnknownResourceException>());
        Run(_h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = work.TaskToken }));
    }

    [Test]
    public void A_token_of_another_engine_is_refused()
    {
        using var other = new Harness();
        var wf = other.Start();
        var task = other.PollDecision();
        // Same domain, workflow id and run state here, under a different key.
        _h.Start(wf.WorkflowId);
        Assert.That(() => _h.Decide(task, Complete()), Throws.TypeOf<UnknownResourceException>());
    }

    [Test]
    public void A_list_page_token_is_good_only_for_its_operation_and_query()
    {
        foreach (var name in new[] { "d1", "d2", "d3" })
            Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = name, WorkflowExecutionRetentionPeriodInDays = "1" }));
        var first = Run(_h.Swf.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = 2 }));
        var token = first.NextPageToken!;
        // The tester's misuses: another operation, another domain, another question, an offset made up.
        Assert.That(() => Run(_h.Swf.ListWorkflowTypesAsync(new ListWorkflowTypesInput { Domain = Domain, RegistrationStatus = RegistrationStatus.Registered, NextPageToken = token })),
            Throws.TypeOf<SwfValidationException>().With.Message.Contains("nextPageToken"));
        Assert.That(() => Run(_h.Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
        {
            Domain = "d1", StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch }, NextPageToken = token,
        })), Throws.TypeOf<SwfValidationException>());
        Assert.That(() => Run(_h.Swf.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Deprecated, NextPageToken = token })),
            Throws.TypeOf<SwfValidationException>());
        Assert.That(() => Run(_h.Swf.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered, ReverseOrder = true, NextPageToken = token })),
            Throws.TypeOf<SwfValidationException>());
        Assert.That(() => Run(_h.Swf.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered, NextPageToken = Token("o", "999999999") })),
            Throws.TypeOf<SwfValidationException>());
        // The same question (page size aside) gets the next page.
        var second = Run(_h.Swf.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = 5, NextPageToken = token }));
        Assert.That(first.Items.Concat(second.Items).Select(d => d.Name), Is.EqualTo(new[] { "d1", "d2", "d3", Domain }));
        Assert.That(second.NextPageToken, Is.Null);
    }

    [Test]
    public void A_forged_list_page_token_is_a_validation_error()
    {
        foreach (var token in new[] { Token("o", "-1"), Token("o", "x"), Token("h", "1"), "not base64!" })
            Assert.That(() => Run(_h.Swf.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered, NextPageToken = token })),
                Throws.TypeOf<SwfValidationException>(), token);
    }
}
