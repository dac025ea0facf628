using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Flow.Cli.Tests;

/// <summary>The web view of <c>flow dev</c> as a real headless Chromium renders it (.ci/run installs
/// Debian's chromium): an execution and its history appear, and names and payloads a workflow chose
/// are shown as text, never run as markup.</summary>
[TestFixture]
public sealed partial class BrowserTests
{
    // Each payload would leave a data-pwned attribute on <body>, or a <script> element, if the page let it in.
    // (A workflow id may not hold '/', so its script element is left open.)
    private const string WorkflowId = "order-7<script>document.body.dataset.pwned='id'";
    private const string Input = "<script>document.body.dataset.pwned='input'</script>";
    private const string MarkerName = "checkpoint<img src=x onerror=\"document.body.dataset.pwned='marker'\">";

    private DevServer server = null!;
    private string runId = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        server = await DevServer.StartAsync("--memory", "--long-poll-seconds", "5");
        Ok(await Swf.CallAsync(server, "RegisterDomain", """{"name":"browser","workflowExecutionRetentionPeriodInDays":"1","description":"orders <i>in</i> flight"}"""));
        Ok(await Swf.CallAsync(server, "RegisterWorkflowType", """
            {"domain":"browser","name":"Order","version":"2","defaultTaskList":{"name":"d"},
             "defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"60","defaultChildPolicy":"TERMINATE"}
            """));
        var run = Ok(await Swf.CallAsync(server, "StartWorkflowExecution", Json(new Dictionary<string, object>
        {
            ["domain"] = "browser", ["workflowId"] = WorkflowId, ["workflowType"] = new Dictionary<string, string> { ["name"] = "Order", ["version"] = "2" },
            ["input"] = Input,
        })));
        runId = run.Json.GetProperty("runId").GetString()!;
        var task = Ok(await Swf.CallAsync(server, "PollForDecisionTask", """{"domain":"browser","taskList":{"name":"d"},"identity":"decider"}"""));
        Ok(await Swf.CallAsync(server, "RespondDecisionTaskCompleted", Json(new Dictionary<string, object>
        {
            ["taskToken"] = task.Json.GetProperty("taskToken").GetString()!,
            ["decisions"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["decisionType"] = "RecordMarker",
                    ["recordMarkerDecisionAttributes"] = new Dictionary<string, string> { ["markerName"] = MarkerName, ["details"] = "half way" },
                },
            },
        })));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await server.DisposeAsync();

    [Test]
    public async Task The_index_shows_the_domain_and_the_open_execution()
    {
        string dom = await DumpDomAsync(server.Url);
        Assert.That(dom, Does.Contain("<h2>browser</h2>"));
        Assert.That(dom, Does.Contain("<h3>Open executions (1)</h3>"));
        Assert.That(dom, Does.Contain(runId));
        Assert.That(dom, Does.Contain("Order 2"));
        Assert.That(dom, Does.Contain("<td>OPEN</td>"));
    }

    [Test]
    public async Task A_workflow_id_with_a_script_tag_is_shown_as_text_and_never_runs()
    {
        string dom = await DumpDomAsync(server.Url);
        Assert.That(dom, Does.Contain(WebUtility.HtmlEncode(WorkflowId).Replace("&#39;", "'", StringComparison.Ordinal)),
            "the workflow id is the link's text");
        Assert.That(dom, Does.Contain("orders &lt;i&gt;in&lt;/i&gt; flight"), "the domain's description is text too");
        Assert.That(dom, Does.Not.Contain("<script"));
        Assert.That(dom, Does.Not.Contain("<i>"));
        Assert.That(dom, Does.Not.Contain("data-pwned"));
    }

    [Test]
    public async Task The_history_link_shows_every_event_and_runs_nothing_the_workflow_recorded()
    {
        string index = await DumpDomAsync(server.Url);
        Match link = HistoryLink().Match(index);
        Assert.That(link.Success, Is.True, index);
        var url = new Uri(server.Url, WebUtility.HtmlDecode(link.Groups[1].Value));

        string dom = await DumpDomAsync(url);
        string[] events = ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "MarkerRecorded"];
        var cells = EventCell().Matches(dom).Select(m => (Id: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Type: m.Groups[2].Value)).ToList();
        Assert.That(cells, Is.EqualTo(events.Select((e, i) => (i + 1, e))), dom);
        Assert.That(dom, Does.Contain(runId));
        Assert.That(dom, Does.Contain("half way"), "the marker's details");
        Assert.That(dom, Does.Contain("decider"), "the decision task's identity");
        Assert.That(dom, Does.Not.Contain("<script"));
        Assert.That(dom, Does.Not.Contain("<img"));
        Assert.That(dom, Does.Not.Contain("data-pwned"));
    }

    /// <summary>Chromium's serialisation of the page after it loaded and ran whatever scripts it had.</summary>
    private static async Task<string> DumpDomAsync(Uri url)
    {
        string profile = Directory.CreateTempSubdirectory("flow-chromium-").FullName;
        try
        {
            var info = new ProcessStartInfo("chromium")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--user-data-dir=" + profile, "--dump-dom", url.ToString()])
                info.ArgumentList.Add(a);
            Process process;
            try
            {
                process = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("chromium is not installed: run `sudo apt-get install -y chromium` (.ci/run does)", e);
            }
            using (process)
            {
                Task<string> stdout = process.StandardOutput.ReadToEndAsync();
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw;
                }
                string dom = await stdout, errors = await stderr;
                Assert.That(process.ExitCode, Is.Zero, errors);
                Assert.That(dom, Does.Contain("<body").And.Contain("</html>"), errors);
                return dom;
            }
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static Swf.Answer Ok(Swf.Answer answer)
    {
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
        return answer;
    }

    [GeneratedRegex("href=\"(/history\\?[^\"]+)\"")]
    private static partial Regex HistoryLink();

    [GeneratedRegex("<tr><td>(\\d+)</td><td>[^<]*</td><td>([A-Za-z]+)</td>")]
    private static partial Regex EventCell();
}
