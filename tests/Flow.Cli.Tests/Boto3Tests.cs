using System.Text.Json;

namespace Flow.Cli.Tests;

/// <summary>boto3, unmodified, drives <c>flow dev</c> through a whole workflow and reads what it left.</summary>
[TestFixture]
public sealed class Boto3Tests
{
    internal const string Prelude = """
        import sys, json, boto3, botocore.exceptions
        endpoint, domain = sys.argv[1], sys.argv[2]
        swf = boto3.client("swf", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")
        def out(value):
            print(json.dumps(value, default=str))
        """;

    // Register, start, decide (schedule an activity), work it (heartbeat, complete), decide (complete
    // the workflow), then read the history, describe and list.
    internal const string Lifecycle = Prelude + """

        swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        swf.register_workflow_type(domain=domain, name="Greeter", version="1.0",
            defaultTaskList={"name": "decisions"}, defaultExecutionStartToCloseTimeout="600",
            defaultTaskStartToCloseTimeout="60", defaultChildPolicy="TERMINATE")
        swf.register_activity_type(domain=domain, name="Shout", version="1.0",
            defaultTaskList={"name": "work"}, defaultTaskStartToCloseTimeout="60",
            defaultTaskScheduleToStartTimeout="60", defaultTaskScheduleToCloseTimeout="120",
            defaultTaskHeartbeatTimeout="60")
        run = swf.start_workflow_execution(domain=domain, workflowId="greeting",
            workflowType={"name": "Greeter", "version": "1.0"}, input="hello", tagList=["demo"])
        task = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"}, identity="decider")
        started = task["events"][0]["workflowExecutionStartedEventAttributes"]
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[{
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityType": {"name": "Shout", "version": "1.0"}, "activityId": "shout-1",
                "input": started["input"]}}])
        work = swf.poll_for_activity_task(domain=domain, taskList={"name": "work"}, identity="worker")
        beat = swf.record_activity_task_heartbeat(taskToken=work["taskToken"], details="half way")
        swf.respond_activity_task_completed(taskToken=work["taskToken"], result=work["input"].upper())
        task = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"}, identity="decider")
        result = [e for e in task["events"] if e["eventType"] == "ActivityTaskCompleted"][0]["activityTaskCompletedEventAttributes"]["result"]
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[{
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": result}}])
        execution = {"workflowId": "greeting", "runId": run["runId"]}
        history = swf.get_workflow_execution_history(domain=domain, execution=execution)
        described = swf.describe_workflow_execution(domain=domain, execution=execution)
        closed = swf.list_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})
        out({"events": [e["eventType"] for e in history["events"]],
             "result": result, "cancelRequested": beat["cancelRequested"],
             "closeStatus": described["executionInfo"]["closeStatus"],
             "closed": [i["execution"]["workflowId"] for i in closed["executionInfos"]]})
        """;

    internal static readonly string[] LifecycleEvents =
    [
        "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
        "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted",
        "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted",
    ];

    private DevServer server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => server = await DevServer.StartAsync("--memory", "--long-poll-seconds", "1");

    [OneTimeTearDown]
    public async Task StopAsync() => await server.DisposeAsync();

    private Task<Tools.Result> RunAsync(string script, string domain) => Tools.PythonAsync(script, null, server.Endpoint, domain);

    [Test]
    public async Task A_whole_workflow_runs_and_its_history_reads_back()
    {
        JsonElement json = (await RunAsync(Lifecycle, "boto3-lifecycle")).Json();
        Assert.That(json.GetProperty("events").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(LifecycleEvents));
        Assert.That(json.GetProperty("result").GetString(), Is.EqualTo("HELLO"));
        Assert.That(json.GetProperty("cancelRequested").GetBoolean(), Is.False);
        Assert.That(json.GetProperty("closeStatus").GetString(), Is.EqualTo("COMPLETED"));
        Assert.That(json.GetProperty("closed").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "greeting" }));
    }

    [Test]
    public async Task An_unknown_domain_surfaces_as_an_unknown_resource_fault()
    {
        const string script = Prelude + """

            try:
                swf.describe_domain(name=domain)
                out({"code": None})
            except botocore.exceptions.ClientError as e:
                out({"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                     "message": e.response["Error"]["Message"]})
            """;
        JsonElement json = (await RunAsync(script, "no-such-domain")).Json();
        Assert.That(json.GetProperty("code").GetString(), Is.EqualTo("UnknownResourceFault"));
        Assert.That(json.GetProperty("status").GetInt32(), Is.EqualTo(400));
    }

    [Test]
    public async Task A_poll_on_an_empty_task_list_answers_without_a_task_token()
    {
        const string script = Prelude + """

            swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
            decision = swf.poll_for_decision_task(domain=domain, taskList={"name": "nobody"})
            activity = swf.poll_for_activity_task(domain=domain, taskList={"name": "nobody"})
            out({"decision": sorted(k for k in decision if k != "ResponseMetadata"),
                 "activity": sorted(k for k in activity if k != "ResponseMetadata")})
            """;
        JsonElement json = (await RunAsync(script, "boto3-empty-poll")).Json();
        Assert.That(json.GetProperty("decision").EnumerateArray().Select(e => e.GetString()), Does.Not.Contain("taskToken"));
        Assert.That(json.GetProperty("activity").EnumerateArray().Select(e => e.GetString()), Does.Not.Contain("taskToken"));
    }
}
