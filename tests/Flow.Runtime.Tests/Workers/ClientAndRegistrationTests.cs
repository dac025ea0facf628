using System.Text.Json;
using Flow.Workers;
using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

[TestFixture]
public class ClientAndRegistrationTests
{
    private static readonly WorkflowDefinition Waiting = Harness.Workflow("Waiting");

    private static WorkflowHandler WaitForever() => Harness.Handler(Waiting, async (_, _) =>
    {
        await Workflow.DelayAsync(TimeSpan.FromDays(30));
        return null;
    });

    [Test]
    public async Task Start_fills_the_definitions_defaults_and_the_options_as_swf_seconds()
    {
        await using var h = new Harness();
        await new FlowRegistration(h.Swf, Harness.Domain).RegisterWorkflowTypeAsync(Waiting, null);

        var run = await h.Client.StartAsync(Waiting, "defaults-1", "in", new WorkflowStartOptions
        {
            TaskStartToCloseTimeout = TimeSpan.FromSeconds(12.2),
            TagList = ["blue"],
        });

        var detail = await h.Client.DescribeAsync(run);
        Assert.That(detail.ExecutionConfiguration.TaskStartToCloseTimeout, Is.EqualTo("13"));
        Assert.That(detail.ExecutionConfiguration.ExecutionStartToCloseTimeout, Is.EqualTo("3600"));
        Assert.That(detail.ExecutionConfiguration.TaskList.Name, Is.EqualTo(Harness.Decisions));
        Assert.That(detail.ExecutionInfo.TagList, Is.EqualTo(new[] { "blue" }));
    }

    [Test]
    public async Task Registration_fills_task_timeout_and_child_policy_that_the_contract_leaves_out()
    {
        await using var h = new Harness();
        var registration = new FlowRegistration(h.Swf, Harness.Domain);
        var bare = new WorkflowDefinition("Bare", "1") { DefaultTaskList = Harness.Decisions, DefaultExecutionStartToCloseTimeout = "3600" };
        var given = new WorkflowDefinition("Given", "1")
        {
            DefaultTaskList = Harness.Decisions, DefaultExecutionStartToCloseTimeout = "3600",
            DefaultTaskStartToCloseTimeout = "7", DefaultChildPolicy = ChildPolicy.Abandon,
        };
        await registration.RegisterWorkflowTypeAsync(bare, null);
        await registration.RegisterWorkflowTypeAsync(given, null);

        // Without registration defaults SWF refuses a start that passes neither (DefaultUndefinedFault).
        var bareRun = await h.Client.StartAsync(bare, "bare-1", null);
        var givenRun = await h.Client.StartAsync(given, "given-1", null);

        var bareConfig = (await h.Client.DescribeAsync(bareRun)).ExecutionConfiguration;
        Assert.That(bareConfig.TaskStartToCloseTimeout, Is.EqualTo(FlowRegistration.DefaultTaskStartToCloseTimeout));
        Assert.That(bareConfig.ChildPolicy, Is.EqualTo(ChildPolicy.Terminate));
        var givenConfig = (await h.Client.DescribeAsync(givenRun)).ExecutionConfiguration;
        Assert.That(givenConfig.TaskStartToCloseTimeout, Is.EqualTo("7"));
        Assert.That(givenConfig.ChildPolicy, Is.EqualTo(ChildPolicy.Abandon));
    }

    [Test]
    public async Task List_and_count_see_open_and_closed_executions()
    {
        await using var h = new Harness();
        await h.StartWorkflowWorker([WaitForever()]);
        var open = await h.Client.StartAsync(Waiting, "open-1", null);
        var closed = await h.Client.StartAsync(Waiting, "closed-1", null);
        await h.Client.TerminateAsync(closed, "done");

        var openIds = await h.Client.ListOpenAsync().Select(i => i.Execution.WorkflowId).ToListAsync();
        var closedIds = await h.Client.ListClosedAsync(new WorkflowExecutionQuery { CloseStatus = CloseStatus.Terminated })
            .Select(i => i.Execution.WorkflowId).ToListAsync();

        Assert.That(openIds, Is.EqualTo(new[] { open.WorkflowId }));
        Assert.That(closedIds, Is.EqualTo(new[] { closed.WorkflowId }));
        Assert.That((await h.Client.CountOpenAsync()).Count, Is.EqualTo(1));
        Assert.That((await h.Client.CountClosedAsync(new WorkflowExecutionQuery { WorkflowId = "closed-1" })).Count, Is.EqualTo(1));
    }

    [Test]
    public void A_query_with_two_exclusive_filters_is_refused_before_any_call()
    {
        var client = new WorkflowClient(new Harness().Swf, Harness.Domain);
        Assert.ThrowsAsync<ArgumentException>(() =>
            client.CountOpenAsync(new WorkflowExecutionQuery { WorkflowId = "a", Tag = "b" }));
    }

    [Test]
    public async Task The_history_export_has_get_workflow_execution_history_shape_and_reads_back()
    {
        await using var h = new Harness();
        await h.StartWorkflowWorker([WaitForever()]);
        var run = await h.Client.StartAsync(Waiting, "export-1", "payload");
        await h.WhenEvent(run, EventType.TimerStarted);

        string json = await h.Client.GetHistoryJsonAsync(run);

        using var document = JsonDocument.Parse(json);
        Assert.That(document.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "events" }));
        var first = document.RootElement.GetProperty("events")[0];
        Assert.That(first.GetProperty("eventType").GetString(), Is.EqualTo("WorkflowExecutionStarted"));
        Assert.That(first.GetProperty("eventTimestamp").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(first.GetProperty("workflowExecutionStartedEventAttributes").GetProperty("input").GetString(), Is.EqualTo("payload"));
        var back = JsonSerializer.Deserialize(json, SwfJsonContext.Default.History)!;
        Assert.That(back.Events.Select(e => e.EventType), Is.EqualTo((await h.History(run)).Select(e => e.EventType)));
    }

    [Test]
    public async Task Registering_types_that_already_exist_is_success()
    {
        await using var h = new Harness();
        var registration = new FlowRegistration(h.Swf, Harness.Domain);
        await registration.RegisterWorkflowTypeAsync(Waiting, null);
        await registration.RegisterActivityTypeAsync(Harness.Activity("Again"), null);
        await registration.RegisterDomainAsync(1);

        Assert.DoesNotThrowAsync(() => registration.RegisterWorkflowTypeAsync(Waiting, null));
        Assert.DoesNotThrowAsync(() => registration.RegisterActivityTypeAsync(Harness.Activity("Again"), null));
        Assert.DoesNotThrowAsync(() => registration.RegisterDomainAsync(1));
    }

    [Test]
    public async Task A_throttled_registration_is_retried()
    {
        await using var h = new Harness();
        int calls = 0;
        h.Probe.Fault = (operation, _) => operation == "RegisterActivityType" && ++calls < 3 ? SwfProbe.Throttled() : null;

        await new FlowRegistration(h.Swf, Harness.Domain, timeProvider: TimeProvider.System).RegisterActivityTypeAsync(Harness.Activity("Busy"), null);

        Assert.That(calls, Is.EqualTo(3));
    }

    [Test]
    public async Task A_deprecated_activity_type_is_a_clear_startup_error()
    {
        await using var h = new Harness();
        var old = Harness.Activity("Old");
        await new FlowRegistration(h.Swf, Harness.Domain).RegisterActivityTypeAsync(old, null);
        await h.Swf.DeprecateActivityTypeAsync(new DeprecateActivityTypeInput { Domain = Harness.Domain, ActivityType = old.ToActivityType() });

        var ex = Assert.ThrowsAsync<FlowRegistrationException>(() => h.StartActivityWorker([new(old, (_, _) => Task.FromResult<string?>(null))]));
        Assert.That(ex!.Message, Does.Contain("Old 1").And.Contain("deprecated"));
    }

    [Test]
    public void Failure_details_over_the_limit_are_cut_inside_valid_json_with_a_visible_marker()
    {
        string details = ActivityFailure.Details("Big.Exception", "message <with> \"quotes\"", new string('s', 50_000) + "\u00e9<>");

        Assert.That(details.Length, Is.LessThanOrEqualTo(32_768));
        using var json = JsonDocument.Parse(details);
        Assert.That(json.RootElement.GetProperty("message").GetString(), Is.EqualTo("message <with> \"quotes\""));
        Assert.That(json.RootElement.GetProperty("stack").GetString(), Does.Contain("[cut by Flow:"));
    }

    [Test]
    public void A_long_exception_type_name_is_cut_to_swfs_256_character_reason()
    {
        Assert.That(ActivityFailure.Reason(new string('T', 300)), Has.Length.EqualTo(256));
    }
}
