using System.Globalization;
using System.Net;
using System.Text;
using Flow.Swf;
using Microsoft.AspNetCore.Http;

namespace Flow.Cli.Dev;

/// <summary>
/// A plain HTML view of the engine for a developer's browser: <c>GET /</c> lists domains with their
/// open and closed executions; <c>GET /history?domain=&amp;workflowId=&amp;runId=</c> shows one history.
/// Read-only, built from the same <see cref="ISwfClient"/> calls any client makes.
/// </summary>
internal sealed class WebPage(ISwfClient client)
{
    private const int MaxExecutionsPerList = 100;
    private static readonly DateTimeOffset Beginning = DateTimeOffset.FromUnixTimeSeconds(0);

    public async Task<string?> RenderAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string path = request.Path.Value ?? "/";
        if (path == "/")
            return await IndexAsync(cancellationToken).ConfigureAwait(false);
        if (path == "/history")
        {
            string domain = request.Query["domain"].ToString(), workflowId = request.Query["workflowId"].ToString(), runId = request.Query["runId"].ToString();
            return await HistoryAsync(domain, workflowId, runId, cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    private async Task<string> IndexAsync(CancellationToken cancellationToken)
    {
        var html = Start("Flow local SWF");
        html.Append("<h1>Flow local SWF</h1>");
        var domains = new List<DomainInfo>();
        foreach (var status in new[] { RegistrationStatus.Registered, RegistrationStatus.Deprecated })
        {
            await foreach (var d in SwfPaging.ListAllDomainsAsync(client, new ListDomainsInput { RegistrationStatus = status }, cancellationToken).ConfigureAwait(false))
                domains.Add(d);
        }
        if (domains.Count == 0)
            html.Append("<p>No domains yet.</p>");
        foreach (var domain in domains.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            html.Append("<h2>").Append(Encode(domain.Name)).Append("</h2>");
            if (domain.Description is { Length: > 0 } description)
                html.Append("<p>").Append(Encode(description)).Append("</p>");

            var open = await client.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
            {
                Domain = domain.Name,
                StartTimeFilter = new ExecutionTimeFilter { OldestDate = Beginning },
                MaximumPageSize = MaxExecutionsPerList,
            }, cancellationToken).ConfigureAwait(false);
            var closed = await client.ListClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsInput
            {
                Domain = domain.Name,
                StartTimeFilter = new ExecutionTimeFilter { OldestDate = Beginning },
                MaximumPageSize = MaxExecutionsPerList,
            }, cancellationToken).ConfigureAwait(false);
            Executions(html, domain.Name, "Open executions", open.ExecutionInfos);
            Executions(html, domain.Name, "Closed executions", closed.ExecutionInfos);
        }
        return End(html);
    }

    private static void Executions(StringBuilder html, string domain, string title, List<WorkflowExecutionInfo> infos)
    {
        html.Append("<h3>").Append(title).Append(" (").Append(infos.Count.ToString(CultureInfo.InvariantCulture))
            .Append(infos.Count == MaxExecutionsPerList ? "+" : "").Append(")</h3>");
        if (infos.Count == 0)
            return;
        html.Append("<table><tr><th>workflow id</th><th>run id</th><th>type</th><th>started</th><th>status</th></tr>");
        foreach (var info in infos)
        {
            string link = "/history?domain=" + Uri.EscapeDataString(domain) + "&workflowId=" + Uri.EscapeDataString(info.Execution.WorkflowId)
                + "&runId=" + Uri.EscapeDataString(info.Execution.RunId);
            html.Append("<tr><td><a href=\"").Append(Encode(link)).Append("\">").Append(Encode(info.Execution.WorkflowId)).Append("</a></td><td>")
                .Append(Encode(info.Execution.RunId)).Append("</td><td>")
                .Append(Encode(info.WorkflowType.Name)).Append(' ').Append(Encode(info.WorkflowType.Version)).Append("</td><td>")
                .Append(Time(info.StartTimestamp)).Append("</td><td>")
                .Append(info.ExecutionStatus == ExecutionStatus.Open ? "OPEN" : Remote.RemoteCommands.Name(info.CloseStatus))
                .Append("</td></tr>");
        }
        html.Append("</table>");
    }

    private async Task<string> HistoryAsync(string domain, string workflowId, string runId, CancellationToken cancellationToken)
    {
        var html = Start($"{workflowId} · Flow local SWF");
        html.Append("<p><a href=\"/\">all executions</a></p><h1>").Append(Encode(workflowId)).Append("</h1><p>domain ")
            .Append(Encode(domain)).Append(", run ").Append(Encode(runId)).Append("</p>");
        html.Append("<table><tr><th>id</th><th>time</th><th>event</th><th>attributes</th></tr>");
        await foreach (var e in SwfPaging.GetWorkflowExecutionHistoryEventsAsync(client, new GetWorkflowExecutionHistoryInput
                       {
                           Domain = domain,
                           Execution = new WorkflowExecution { WorkflowId = workflowId, RunId = runId },
                           MaximumPageSize = 1000,
                       }, cancellationToken).ConfigureAwait(false))
        {
            string json = System.Text.Json.JsonSerializer.Serialize(e, SwfJsonContext.Default.HistoryEvent);
            html.Append("<tr><td>").Append(e.EventId.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Time(e.EventTimestamp))
                .Append("</td><td>").Append(Encode(e.EventType.ToString())).Append("</td><td><code>").Append(Encode(json)).Append("</code></td></tr>");
        }
        html.Append("</table>");
        return End(html);
    }

    private static StringBuilder Start(string title) => new StringBuilder(4096)
        .Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(Encode(title)).Append("</title>")
        .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}code{white-space:pre-wrap;word-break:break-all}</style>")
        .Append("</head><body>");

    private static string End(StringBuilder html) => html.Append("</body></html>").ToString();

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
