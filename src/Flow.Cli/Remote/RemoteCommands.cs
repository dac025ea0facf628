using System.Globalization;
using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Flow.Swf;

namespace Flow.Cli.Remote;

/// <summary><c>flow list</c>, <c>flow history</c> and <c>flow start</c>: small calls through the wire
/// client to any SWF endpoint (<c>flow dev</c>, moto_server, or real SWF with the default credentials).</summary>
internal static class RemoteCommands
{
    public const string Usage =
        "flow list [--endpoint URL] --domain DOMAIN [--json]\n" +
        "  flow history [--endpoint URL] --domain DOMAIN --workflow-id ID [--run-id RUN]\n" +
        "  flow start [--endpoint URL] --domain DOMAIN --workflow-type NAME --workflow-version VERSION --workflow-id ID\n" +
        "             [--input TEXT] [--task-list NAME] [--execution-timeout SECONDS] [--task-timeout SECONDS]\n" +
        "             [--child-policy TERMINATE|REQUEST_CANCEL|ABANDON] [--tag TAG]\n" +
        "  (--endpoint defaults to flow dev's http://127.0.0.1:" + "8600; --region REGION for real SWF)";

    private static readonly DateTimeOffset Beginning = DateTimeOffset.FromUnixTimeSeconds(0);

    public static async Task<int> ListAsync(CommandLine line, TextWriter output)
    {
        using SwfClient client = Connect(line);
        string domain = line.Required("domain");
        bool json = line.Flag("json");
        line.RejectUnknown();

        var infos = new List<WorkflowExecutionInfo>();
        await foreach (var info in SwfPaging.ListAllOpenWorkflowExecutionsAsync(client,
                           new ListOpenWorkflowExecutionsInput { Domain = domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = Beginning } }))
            infos.Add(info);
        await foreach (var info in SwfPaging.ListAllClosedWorkflowExecutionsAsync(client,
                           new ListClosedWorkflowExecutionsInput { Domain = domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = Beginning } }))
            infos.Add(info);
        infos.Sort((a, b) => b.StartTimestamp.CompareTo(a.StartTimestamp));

        if (json)
        {
            WriteJson(output, new WorkflowExecutionInfos { ExecutionInfos = infos }, SwfJsonContext.Default.WorkflowExecutionInfos);
            return 0;
        }
        foreach (var info in infos)
        {
            string status = info.ExecutionStatus == ExecutionStatus.Open ? "OPEN" : Name(info.CloseStatus);
            output.WriteLine(string.Join('\t', status, info.Execution.WorkflowId, info.Execution.RunId,
                $"{info.WorkflowType.Name}/{info.WorkflowType.Version}",
                info.StartTimestamp.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)));
        }
        return 0;
    }

    public static async Task<int> HistoryAsync(CommandLine line, TextWriter output)
    {
        using SwfClient client = Connect(line);
        string domain = line.Required("domain");
        string workflowId = line.Required("workflow-id");
        string? runId = line.Get("run-id");
        line.RejectUnknown();

        runId ??= await LatestRunAsync(client, domain, workflowId);
        if (runId is null)
        {
            await Console.Error.WriteLineAsync($"flow: no execution with workflow id '{workflowId}' in domain '{domain}'").ConfigureAwait(false);
            return 1;
        }
        var events = new List<HistoryEvent>();
        await foreach (var e in SwfPaging.GetWorkflowExecutionHistoryEventsAsync(client, new GetWorkflowExecutionHistoryInput
                       {
                           Domain = domain,
                           Execution = new WorkflowExecution { WorkflowId = workflowId, RunId = runId },
                           MaximumPageSize = 1000,
                       }))
            events.Add(e);
        // The shape of GetWorkflowExecutionHistory's answer, so `aws swf get-workflow-execution-history` output and this are interchangeable.
        WriteJson(output, new History { Events = events }, SwfJsonContext.Default.History);
        return 0;
    }

    public static async Task<int> StartAsync(CommandLine line, TextWriter output)
    {
        using SwfClient client = Connect(line);
        var input = new StartWorkflowExecutionInput
        {
            Domain = line.Required("domain"),
            WorkflowId = line.Required("workflow-id"),
            WorkflowType = new WorkflowType { Name = line.Required("workflow-type"), Version = line.Required("workflow-version") },
            Input = line.Get("input"),
            TaskList = line.Get("task-list") is { } taskList ? new TaskList { Name = taskList } : null,
            ExecutionStartToCloseTimeout = line.Get("execution-timeout"),
            TaskStartToCloseTimeout = line.Get("task-timeout"),
            TagList = line.Get("tag") is { } tag ? [tag] : null,
        };
        if (line.Get("child-policy") is { } policy)
        {
            input.ChildPolicy = policy switch
            {
                "TERMINATE" => ChildPolicy.Terminate,
                "REQUEST_CANCEL" => ChildPolicy.RequestCancel,
                "ABANDON" => ChildPolicy.Abandon,
                _ => throw new UsageException($"--child-policy must be TERMINATE, REQUEST_CANCEL or ABANDON, not '{policy}'"),
            };
        }
        line.RejectUnknown();
        Run run = await client.StartWorkflowExecutionAsync(input).ConfigureAwait(false);
        WriteJson(output, run, SwfJsonContext.Default.Run);
        return 0;
    }

    /// <summary>The newest run: the open one if any, else the most recently started closed one.</summary>
    private static async Task<string?> LatestRunAsync(SwfClient client, string domain, string workflowId)
    {
        var open = await client.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
        {
            Domain = domain,
            StartTimeFilter = new ExecutionTimeFilter { OldestDate = Beginning },
            ExecutionFilter = new WorkflowExecutionFilter { WorkflowId = workflowId },
            MaximumPageSize = 1,
        }).ConfigureAwait(false);
        if (open.ExecutionInfos.Count > 0)
            return open.ExecutionInfos[0].Execution.RunId;
        var closed = await client.ListClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsInput
        {
            Domain = domain,
            StartTimeFilter = new ExecutionTimeFilter { OldestDate = Beginning },
            ExecutionFilter = new WorkflowExecutionFilter { WorkflowId = workflowId },
            MaximumPageSize = 1,
        }).ConfigureAwait(false);
        return closed.ExecutionInfos.Count > 0 ? closed.ExecutionInfos[0].Execution.RunId : null;
    }

    private static SwfClient Connect(CommandLine line)
    {
        string endpoint = line.Get("endpoint") ?? $"http://127.0.0.1:{Dev.DevCommand.DefaultPort}";
        string? region = line.Get("region");
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? url) || (url.Scheme != "http" && url.Scheme != "https"))
            throw new UsageException($"--endpoint must be an http(s) URL, not '{endpoint}'");
        // flow dev accepts any credentials: on loopback with none configured, sign with placeholders.
        AWSCredentials? credentials = IsLoopback(url) && Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null
            ? new BasicAWSCredentials("flow", "flow")
            : null;
        return new SwfClient(new SwfClientOptions { ServiceUrl = url, Region = region, Credentials = credentials });
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));

    internal static string Name(CloseStatus? status) => status switch
    {
        CloseStatus.Completed => "COMPLETED",
        CloseStatus.Failed => "FAILED",
        CloseStatus.Canceled => "CANCELED",
        CloseStatus.Terminated => "TERMINATED",
        CloseStatus.ContinuedAsNew => "CONTINUED_AS_NEW",
        CloseStatus.TimedOut => "TIMED_OUT",
        _ => "CLOSED",
    };

    private static void WriteJson<T>(TextWriter output, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            JsonSerializer.Serialize(writer, value, info);
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        output.Flush();
    }
}
