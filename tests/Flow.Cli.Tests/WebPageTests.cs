using System.Net;

namespace Flow.Cli.Tests;

/// <summary>The read-only web view at <c>GET /</c>.</summary>
[TestFixture]
public sealed class WebPageTests
{
    private DevServer server = null!;
    private string runId = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        server = await DevServer.StartAsync("--memory");
        Ok(await Swf.CallAsync(server, "RegisterDomain", """{"name":"web","workflowExecutionRetentionPeriodInDays":"1"}"""));
        Ok(await Swf.CallAsync(server, "RegisterWorkflowType", """
            {"domain":"web","name":"Page","version":"1","defaultTaskList":{"name":"d"},
             "defaultExecutionStartToCloseTimeout":"3600","defaultTaskStartToCloseTimeout":"60","defaultChildPolicy":"TERMINATE"}
            """));
        var run = Ok(await Swf.CallAsync(server, "StartWorkflowExecution", """{"domain":"web","workflowId":"<b>bold","workflowType":{"name":"Page","version":"1"}}"""));
        runId = run.Json.GetProperty("runId").GetString()!;
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await server.DisposeAsync();

    [Test]
    public async Task The_index_lists_domains_and_open_executions_with_history_links()
    {
        using var response = await Swf.Http.GetAsync(server.Url);
        string html = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(html, Does.Contain("<h2>web</h2>"));
        Assert.That(html, Does.Contain("/history?domain=web&amp;workflowId=%3Cb%3Ebold&amp;runId=" + Uri.EscapeDataString(runId)));
    }

    [Test]
    public async Task Names_are_html_encoded()
    {
        string html = await Swf.Http.GetStringAsync(server.Url);
        Assert.That(html, Does.Contain("&lt;b&gt;bold"));
        Assert.That(html, Does.Not.Contain("<b>bold"));
    }

    [Test]
    public async Task A_history_page_shows_the_events()
    {
        var url = new Uri(server.Url, "/history?domain=web&workflowId=%3Cb%3Ebold&runId=" + Uri.EscapeDataString(runId));
        string html = await Swf.Http.GetStringAsync(url);
        Assert.That(html, Does.Contain("WorkflowExecutionStarted"));
        Assert.That(html, Does.Contain("DecisionTaskScheduled"));
    }

    [Test]
    public async Task The_history_of_an_unknown_run_is_not_found()
    {
        using var response = await Swf.Http.GetAsync(new Uri(server.Url, "/history?domain=web&workflowId=x&runId=nope"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private static Swf.Answer Ok(Swf.Answer answer)
    {
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
        return answer;
    }
}
