using System.Diagnostics;
using System.Text.Json;

namespace Flow.Cli.Tests;

/// <summary><c>flow start</c>, <c>flow list</c> and <c>flow history</c> against a running <c>flow dev</c>.</summary>
[TestFixture]
public sealed class RemoteCommandTests
{
    private const string Domain = "remote";
    private DevServer server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        server = await DevServer.StartAsync("--memory");
        Ok(await Swf.CallAsync(server, "RegisterDomain", """{"name":"remote","workflowExecutionRetentionPeriodInDays":"1"}"""));
        Ok(await Swf.CallAsync(server, "RegisterWorkflowType", """
            {"domain":"remote","name":"Report","version":"2","defaultTaskList":{"name":"d"},
             "defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"60","defaultChildPolicy":"TERMINATE"}
            """));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await server.DisposeAsync();

    private async Task<(int Exit, string Stdout, string Stderr)> FlowAsync(params string[] args)
    {
        using Process process = DevServer.StartProcess([args[0], "--endpoint", server.Endpoint, .. args[1..]]);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [Test]
    public async Task Start_prints_the_new_run_id_as_json()
    {
        var (exit, stdout, stderr) = await FlowAsync("start", "--domain", Domain, "--workflow-type", "Report", "--workflow-version", "2",
            "--workflow-id", "started-by-flow", "--input", "{\"n\":1}");
        Assert.That(exit, Is.Zero, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.That(json.RootElement.GetProperty("runId").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task List_shows_an_open_execution_with_its_type()
    {
        await FlowAsync("start", "--domain", Domain, "--workflow-type", "Report", "--workflow-version", "2", "--workflow-id", "listed");
        var (exit, stdout, stderr) = await FlowAsync("list", "--domain", Domain);
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout.Split('\n').Any(l => l.StartsWith("OPEN\tlisted\t", StringComparison.Ordinal) && l.Contains("\tReport/2\t", StringComparison.Ordinal)), stdout);
    }

    [Test]
    public async Task List_of_a_domain_without_executions_says_so_on_stderr_and_leaves_stdout_empty()
    {
        Ok(await Swf.CallAsync(server, "RegisterDomain", """{"name":"quiet","workflowExecutionRetentionPeriodInDays":"1"}"""));

        var (exit, stdout, stderr) = await FlowAsync("list", "--domain", "quiet");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Trim(), Is.EqualTo("flow: no executions in domain 'quiet'"));
    }

    [Test]
    public async Task History_without_a_run_id_prints_the_latest_run_like_the_aws_cli_does()
    {
        var (_, started, _) = await FlowAsync("start", "--domain", Domain, "--workflow-type", "Report", "--workflow-version", "2", "--workflow-id", "read-back");
        string runId = JsonDocument.Parse(started).RootElement.GetProperty("runId").GetString()!;

        var (exit, stdout, stderr) = await FlowAsync("history", "--domain", Domain, "--workflow-id", "read-back");
        Assert.That(exit, Is.Zero, stderr);
        JsonElement ours = JsonDocument.Parse(stdout).RootElement;

        JsonElement theirs = (await Tools.AwsAsync(server.Endpoint, null, "swf", "get-workflow-execution-history", "--domain", Domain,
            "--execution", $"workflowId=read-back,runId={runId}")).Json();
        Assert.That(Types(ours), Is.EqualTo(Types(theirs)));
        Assert.That(Types(ours)[0], Is.EqualTo("WorkflowExecutionStarted"));
        Assert.That(ours.GetProperty("events")[0].GetProperty("workflowExecutionStartedEventAttributes").GetProperty("workflowType").GetProperty("name").GetString(),
            Is.EqualTo("Report"));
    }

    [Test]
    public async Task History_prints_quotes_and_other_text_as_a_person_reads_them()
    {
        const string Input = "{\"note\":\"<café & crème>\"}";
        await FlowAsync("start", "--domain", Domain, "--workflow-type", "Report", "--workflow-version", "2", "--workflow-id", "quoted", "--input", Input);

        var (exit, stdout, stderr) = await FlowAsync("history", "--domain", Domain, "--workflow-id", "quoted");

        Assert.That(exit, Is.Zero, stderr);
        // JSON's own escapes only (\"), not \u0022 and friends.
        Assert.That(stdout, Does.Contain("\"input\": \"{\\\"note\\\":\\\"<café & crème>\\\"}\""));
        Assert.That(stdout, Does.Not.Contain("\\u00"));
        using var json = JsonDocument.Parse(stdout);
        Assert.That(json.RootElement.GetProperty("events")[0].GetProperty("workflowExecutionStartedEventAttributes").GetProperty("input").GetString(),
            Is.EqualTo(Input));
    }

    [Test]
    public async Task History_of_an_unknown_workflow_fails_with_a_message()
    {
        var (exit, stdout, stderr) = await FlowAsync("history", "--domain", Domain, "--workflow-id", "never-started");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain("never-started"));
    }

    [Test]
    public async Task A_fault_from_the_service_is_printed_by_name()
    {
        var (exit, _, stderr) = await FlowAsync("list", "--domain", "no-such-domain");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("UnknownResourceFault"));
    }

    private static string?[] Types(JsonElement history) =>
        history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventType").GetString()).ToArray();

    private static void Ok(Swf.Answer answer) => Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
}
