using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
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
        "  (--endpoint defaults to flow dev's http://127.0.0.1:8600; --region REGION alone targets real SWF;\n" +
        "   --request-timeout SECONDS bounds each attempt, default 10)";

    private static readonly DateTimeOffset Beginning = DateTimeOffset.FromUnixTimeSeconds(0);

    public static async Task<int> ListAsync(CommandLine line, TextWriter output)
    {
        Target target = Target.Parse(line);
        string domain = line.Required("domain");
        bool json = line.Flag("json");
        line.RejectUnknown();
        return await target.RunAsync(maxAttempts: DefaultAttempts, client => ListAsync(client, domain, json, output)).ConfigureAwait(false);
    }

    private static async Task<int> ListAsync(SwfClient client, string domain, bool json, TextWriter output)
    {
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
        if (infos.Count == 0)
            // Said on stderr: stdout stays the (empty) tab-separated list that scripts read.
            await Console.Error.WriteLineAsync($"flow: no executions in domain '{domain}'").ConfigureAwait(false);
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
        Target target = Target.Parse(line);
        string domain = line.Required("domain");
        string workflowId = line.Required("workflow-id");
        string? runId = line.Get("run-id");
        line.RejectUnknown();
        return await target.RunAsync(maxAttempts: DefaultAttempts, client => HistoryAsync(client, domain, workflowId, runId, output)).ConfigureAwait(false);
    }

    private static async Task<int> HistoryAsync(SwfClient client, string domain, string workflowId, string? runId, TextWriter output)
    {
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
        Target target = Target.Parse(line);
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
        // One attempt per send: the client must not repeat a start on its own (see StartOnceAsync).
        return await target.RunAsync(maxAttempts: 1, async client =>
        {
            Run run = await StartOnceAsync(client, input, target.Timeout).ConfigureAwait(false);
            WriteJson(output, run, SwfJsonContext.Default.Run);
            return 0;
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// StartWorkflowExecution is not idempotent. Sent again after its answer was lost, it either fails with
    /// WorkflowExecutionAlreadyStarted for the run it did start, or, if that run has closed meanwhile, starts a
    /// second one. So it is sent again only when SWF certainly did not act on it: no connection was made, or SWF
    /// throttled it. When the request went out and no answer came back, the person is told the run may exist.
    /// </summary>
    private static async Task<Run> StartOnceAsync(SwfClient client, StartWorkflowExecutionInput input, TimeSpan timeout)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await client.StartWorkflowExecutionAsync(input).ConfigureAwait(false);
            }
            catch (Exception e) when (NeverReachedSwf(e) && attempt < DefaultAttempts)
            {
                // The same full-jitter backoff as the wire client's own retries.
                await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << (attempt - 1)) * Random.Shared.NextDouble())).ConfigureAwait(false);
            }
            catch (Exception e) when (!NeverReachedSwf(e) && AnswerLost(e))
            {
                string what = e switch
                {
                    TimeoutException => $"SWF did not answer StartWorkflowExecution within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
                    SwfException fault => $"SWF answered StartWorkflowExecution with {fault.ErrorCode} ({(int)fault.StatusCode})",
                    _ => $"the connection to {client.ServiceUrl} broke before SWF answered StartWorkflowExecution ({FirstLine(e.Message)})",
                };
                throw new CommandFailedException(
                    $"{what}. It was sent once and not repeated, so workflow {input.WorkflowId} may have started: " +
                    $"flow list --domain {input.Domain} shows it.", e);
            }
        }
    }

    /// <summary>Faults that prove SWF did not act on the request.</summary>
    private static bool NeverReachedSwf(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
        ThrottlingException => true,
        SwfException { StatusCode: HttpStatusCode.TooManyRequests } => true,
        _ => false,
    };

    /// <summary>Faults after which the request may or may not have been carried out.</summary>
    private static bool AnswerLost(Exception e) => e switch
    {
        TimeoutException or IOException or HttpRequestException => true,
        SwfException fault => (int)fault.StatusCode >= 500,
        _ => false,
    };


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

    private const int DefaultAttempts = 4;

    /// <summary>Where the command sends its calls, read from --endpoint, --region and --request-timeout.</summary>
    /// <remarks>--endpoint wins; --region alone means real SWF in that region with the default credential chain;
    /// neither means a local <c>flow dev</c> on its default port.</remarks>
    private sealed record Target(Uri? Endpoint, string? Region, TimeSpan Timeout)
    {
        public static Target Parse(CommandLine line)
        {
            string? endpoint = line.Get("endpoint");
            string? region = line.Get("region");
            TimeSpan timeout = line.Seconds("request-timeout", 10, 0.1, 300);
            if (region is not null && !IsRegionName(region))
                throw new UsageException($"--region '{region}' is not an AWS region name such as us-east-1");
            if (endpoint is null && region is not null)
                return new Target(null, region, timeout);
            endpoint ??= $"http://127.0.0.1:{Dev.DevCommand.DefaultPort}";
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? url) || (url.Scheme != "http" && url.Scheme != "https") || url.Host.Length == 0)
                throw new UsageException($"--endpoint must be an http(s) URL, not '{endpoint}'");
            return new Target(url, region, timeout);
        }

        /// <summary>Runs the command's calls; what goes wrong on the way to SWF becomes one line.</summary>
        public async Task<int> RunAsync(int maxAttempts, Func<SwfClient, Task<int>> command)
        {
            using var client = new SwfClient(new SwfClientOptions
            {
                ServiceUrl = Endpoint,
                Region = Region,
                Credentials = Endpoint is not null && !NeedsOwnCredentials(Endpoint) ? new BasicAWSCredentials("flow", "flow") : null,
                RequestTimeout = Timeout,
                MaxAttempts = maxAttempts,
            });
            try
            {
                return await command(client).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new CommandFailedException(e.Message, e);
            }
            catch (HttpRequestException e)
            {
                throw new CommandFailedException($"cannot reach {client.ServiceUrl}: {FirstLine(e.Message)}", e);
            }
            catch (AmazonClientException e)
            {
                // The signer asks the default chain on the first call; SWF's own faults are SwfExceptions.
                throw new CommandFailedException(
                    "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE)", e);
            }
        }

        /// <summary>flow dev, moto and other emulators take any credentials, so without any configured the calls are
        /// signed with placeholders; Amazon's own endpoints, or credentials in the environment, mean the default chain.</summary>
        private static bool NeedsOwnCredentials(Uri url) =>
            Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 }
            || Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 }
            || url.Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase)
            || url.Host.EndsWith(".amazonaws.com.cn", StringComparison.OrdinalIgnoreCase)
            || url.Host.EndsWith(".api.aws", StringComparison.OrdinalIgnoreCase);

        /// <summary>us-east-1, us-gov-west-1, cn-north-1: lower-case words and a number joined by hyphens.</summary>
        private static bool IsRegionName(string region)
        {
            string[] parts = region.Split('-');
            return parts.Length >= 2 && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)));
        }
    }

    private static string FirstLine(string text) => text.IndexOf('\n') is int newline and >= 0 ? text[..newline].TrimEnd('\r') : text;

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
        // Relaxed escaping: this is for people to read (and for jq); the strict default writes a quote as \u0022.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            JsonSerializer.Serialize(writer, value, info);
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        output.Flush();
    }
}
