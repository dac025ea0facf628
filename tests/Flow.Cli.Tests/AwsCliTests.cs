using System.Text.Json;

namespace Flow.Cli.Tests;

/// <summary>The aws CLI, unmodified, against <c>flow dev</c>: every command's output parses.</summary>
[TestFixture]
public sealed class AwsCliTests
{
    private const string Domain = "cli-lifecycle";
    private DevServer server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => server = await DevServer.StartAsync("--memory", "--long-poll-seconds", "1");

    [OneTimeTearDown]
    public async Task StopAsync() => await server.DisposeAsync();

    private async Task<JsonElement> SwfAsync(params string[] args) =>
        (await Tools.AwsAsync(server.Endpoint, null, ["swf", .. args])).Json();

    [Test]
    public async Task A_whole_workflow_runs_through_the_aws_cli()
    {
        await SwfAsync("register-domain", "--name", Domain, "--workflow-execution-retention-period-in-days", "1");
        await SwfAsync("register-workflow-type", "--domain", Domain, "--name", "Greeter", "--workflow-version", "1.0",
            "--default-task-list", "name=decisions", "--default-execution-start-to-close-timeout", "600",
            "--default-task-start-to-close-timeout", "60", "--default-child-policy", "TERMINATE");
        await SwfAsync("register-activity-type", "--domain", Domain, "--name", "Shout", "--activity-version", "1.0",
            "--default-task-list", "name=work", "--default-task-start-to-close-timeout", "60",
            "--default-task-schedule-to-start-timeout", "60", "--default-task-schedule-to-close-timeout", "120",
            "--default-task-heartbeat-timeout", "60");

        JsonElement run = await SwfAsync("start-workflow-execution", "--domain", Domain, "--workflow-id", "greeting",
            "--workflow-type", "name=Greeter,version=1.0", "--input", "hello");
        string runId = run.GetProperty("runId").GetString()!;

        JsonElement decision = await SwfAsync("poll-for-decision-task", "--domain", Domain, "--task-list", "name=decisions");
        await SwfAsync("respond-decision-task-completed", "--task-token", decision.GetProperty("taskToken").GetString()!,
            "--decisions", """[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{"name":"Shout","version":"1.0"},"activityId":"shout-1","input":"hello"}}]""");

        JsonElement work = await SwfAsync("poll-for-activity-task", "--domain", Domain, "--task-list", "name=work");
        Assert.That(work.GetProperty("input").GetString(), Is.EqualTo("hello"));
        await SwfAsync("respond-activity-task-completed", "--task-token", work.GetProperty("taskToken").GetString()!, "--result", "HELLO");

        decision = await SwfAsync("poll-for-decision-task", "--domain", Domain, "--task-list", "name=decisions");
        await SwfAsync("respond-decision-task-completed", "--task-token", decision.GetProperty("taskToken").GetString()!,
            "--decisions", """[{"decisionType":"CompleteWorkflowExecution","completeWorkflowExecutionDecisionAttributes":{"result":"HELLO"}}]""");

        JsonElement history = await SwfAsync("get-workflow-execution-history", "--domain", Domain,
            "--execution", $"workflowId=greeting,runId={runId}");
        Assert.That(history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventType").GetString()),
            Is.EqualTo(Boto3Tests.LifecycleEvents));

        JsonElement closed = await SwfAsync("list-closed-workflow-executions", "--domain", Domain, "--start-time-filter", "oldestDate=0");
        Assert.That(closed.GetProperty("executionInfos")[0].GetProperty("closeStatus").GetString(), Is.EqualTo("COMPLETED"));

        JsonElement count = await SwfAsync("count-closed-workflow-executions", "--domain", Domain, "--start-time-filter", "oldestDate=0");
        Assert.That(count.GetProperty("count").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task Listing_domains_parses()
    {
        await SwfAsync("register-domain", "--name", "cli-listed", "--workflow-execution-retention-period-in-days", "1");
        JsonElement domains = await SwfAsync("list-domains", "--registration-status", "REGISTERED");
        Assert.That(domains.GetProperty("domainInfos").EnumerateArray().Select(d => d.GetProperty("name").GetString()), Does.Contain("cli-listed"));
    }

    [Test]
    public async Task A_duplicate_domain_is_reported_by_its_fault_name()
    {
        await SwfAsync("register-domain", "--name", "cli-twice", "--workflow-execution-retention-period-in-days", "1");
        var again = await Tools.AwsAsync(server.Endpoint, null, "swf", "register-domain", "--name", "cli-twice", "--workflow-execution-retention-period-in-days", "1");
        Assert.That(again.ExitCode, Is.Not.Zero);
        Assert.That(again.Stderr, Does.Contain("DomainAlreadyExistsFault"));
    }
}
