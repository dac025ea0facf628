using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon;
using Amazon.Runtime;

namespace Flow.Swf;

/// <summary>
/// Talks to Amazon SWF, or any SWF-compatible endpoint, over the JSON 1.0 protocol: every request is
/// validated against the API model's limits, signed with SigV4 (AWSSDK.Core), and retried with
/// bounded, fully jittered exponential backoff when the fault is transient.
/// </summary>
/// <remarks>
/// Retried: the faults <see cref="SwfException.IsRetryable"/> names (throttling, HTTP 429 and 5xx answers), attempts
/// that time out, and transient network faults. Never retried: other client faults, including <c>LimitExceededFault</c>,
/// which SWF uses for lasting conditions (too many domains or open executions); a worker that polls still backs off
/// and polls again on any fault. Retrying a call whose answer was lost can meet its own first
/// attempt (StartWorkflowExecution then sees WorkflowExecutionAlreadyStartedFault, a respond call
/// UnknownResourceFault for its spent token), as with every AWS SDK.
/// Decision tasks and history pages are read with one object for the task lists and activity types that repeat
/// within one answer, so treat their events as read-only.
/// </remarks>
public sealed partial class SwfClient : ISwfClient, IDisposable
{
    /// <summary>SWF rejects requests over 1 MB; catching it here names the cause.</summary>
    internal const int MaxRequestBytes = 1024 * 1024;

    private const string DefaultSigningRegion = "us-east-1";

    private readonly SwfClientOptions _options;
    private readonly HttpClient _http;
    private readonly SwfRequestSigner _signer;

    /// <summary>Creates a client; see <see cref="SwfClientOptions"/> for the defaults.</summary>
    public SwfClient(SwfClientOptions? options = null)
    {
        _options = options ?? new SwfClientOptions();
        if (_options.MaxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxAttempts, "MaxAttempts must be at least 1.");
        RequirePositive(_options.RequestTimeout, nameof(SwfClientOptions.RequestTimeout));
        RequirePositive(_options.LongPollTimeout, nameof(SwfClientOptions.LongPollTimeout));
        if (_options.BaseRetryDelay < TimeSpan.Zero || _options.MaxRetryDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "Retry delays must not be negative.");
        if (_options.ServiceUrl is { IsAbsoluteUri: false })
            throw new ArgumentException("ServiceUrl must be an absolute URL.", nameof(options));

        var region = ResolveRegion(_options);
        var endpoint = _options.ServiceUrl ?? new Uri($"https://swf.{region.SystemName}.amazonaws.com/");
        _signer = new SwfRequestSigner(endpoint, region, _options.Credentials, _options.TimeProvider);

        // The handler must not follow redirects: a redirected hop would carry a signature for another request.
        HttpMessageHandler handler = _options.HttpHandler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = _options.RequestTimeout,
        };
        _http = new HttpClient(handler, disposeHandler: _options.HttpHandler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own timeout
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Flow", typeof(SwfClient).Assembly.GetName().Version?.ToString(3)));
    }

    /// <summary>The endpoint requests go to.</summary>
    public Uri ServiceUrl => _signer.Endpoint;

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _signer.Dispose();
    }

    private static RegionEndpoint ResolveRegion(SwfClientOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Region))
            return RegionEndpoint.GetBySystemName(options.Region);
        // With an explicit endpoint the region only names the signing scope: don't wait on instance metadata.
        var found = FallbackRegionFactory.GetRegionEndpoint(includeInstanceMetadata: options.ServiceUrl is null);
        if (found is not null)
            return found;
        if (options.ServiceUrl is not null)
            return RegionEndpoint.GetBySystemName(DefaultSigningRegion);
        throw new InvalidOperationException(
            "No AWS region is configured: set SwfClientOptions.Region, AWS_REGION, or a region in the shared config file.");
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }

    private async Task InvokeAsync<TInput>(string operation, TInput input, JsonTypeInfo<TInput> inputInfo, CancellationToken cancellationToken)
    {
        var response = await SendAsync(operation, input, inputInfo, cancellationToken).ConfigureAwait(false);
        response.CheckNoOutput();
    }

    private async Task<TOutput> InvokeAsync<TInput, TOutput>(
        string operation, TInput input, JsonTypeInfo<TInput> inputInfo, JsonTypeInfo<TOutput> outputInfo, CancellationToken cancellationToken)
    {
        var response = await SendAsync(operation, input, inputInfo, cancellationToken).ConfigureAwait(false);
        return response.Read(outputInfo);
    }

    /// <summary>Sends one call with retries; returns the successful answer's body, read in full.</summary>
    private async Task<SuccessfulResponse> SendAsync<TInput>(
        string operation, TInput input, JsonTypeInfo<TInput> inputInfo, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(input, inputInfo);
        if (body.Length > MaxRequestBytes)
            throw new ArgumentException(
                $"The {operation} request is {body.Length} bytes long; SWF allows at most {MaxRequestBytes}.", nameof(input));

        TimeSpan timeout = operation is SwfOperations.PollForActivityTask or SwfOperations.PollForDecisionTask
            ? _options.LongPollTimeout
            : _options.RequestTimeout;

        for (int attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var request = await _signer.CreateAsync(operation, body, cancellationToken).ConfigureAwait(false))
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptCts.CancelAfter(timeout);
                bool canRetry = attempt < _options.MaxAttempts;
                try
                {
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCts.Token)
                        .ConfigureAwait(false);
                    byte[] content = await response.Content.ReadAsByteArrayAsync(attemptCts.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                        return new SuccessfulResponse(operation, response.StatusCode, response.Content.Headers.ContentType?.ToString(),
                            ReadRequestId(response), content);

                    var fault = SwfErrorReader.Read(operation, response, content);
                    if (!canRetry || !fault.IsRetryable)
                        throw fault;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The caller gave up: stop at once, whatever attempt this was.
                    cancellationToken.ThrowIfCancellationRequested();
                    throw;
                }
                catch (OperationCanceledException e) when (!canRetry)
                {
                    throw new TimeoutException(
                        $"SWF did not answer {operation} within {timeout.TotalSeconds:0.###} s ({attempt} attempts).", e);
                }
                catch (OperationCanceledException)
                {
                    // This attempt timed out; try again.
                }
                catch (HttpRequestException e) when (canRetry && IsTransient(e))
                {
                }
                catch (IOException) when (canRetry)
                {
                }
            }

            await Task.Delay(Backoff(attempt, _options.BaseRetryDelay, _options.MaxRetryDelay), _options.TimeProvider, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    internal static bool IsTransient(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded or HttpRequestError.HttpProtocolError
            or HttpRequestError.InvalidResponse or HttpRequestError.NameResolutionError or HttpRequestError.Unknown => true,
        _ => false, // TLS, authentication, proxy and configuration errors do not heal by themselves
    };

    /// <summary>Full jitter: uniform in [0, min(max, base·2^(retry-1))].</summary>
    internal static TimeSpan Backoff(int retry, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        double ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30)));
        return TimeSpan.FromMilliseconds(ceiling * Random.Shared.NextDouble());
    }

    private static string? ReadRequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues(SwfErrorReader.RequestIdHeader, out var values) ? values.FirstOrDefault() : null;

    /// <summary>
    /// A 2xx answer. SWF answers JSON 1.0: an operation with output sends a JSON object; one without sends an empty
    /// body (the developer guide's RegisterDomain example: <c>Content-Length: 0</c>), which botocore also reads as
    /// <c>{}</c>. Anything else on a 2xx — an HTML page from a proxy, a truncated body, an empty body where output
    /// belongs — did not come from SWF's protocol and is a service error that says what arrived, never a success.
    /// </summary>
    private readonly struct SuccessfulResponse(string operation, HttpStatusCode status, string? contentType, string? requestId, byte[] content)
    {
        /// <summary>For operations without output: an empty body or a JSON object.</summary>
        public void CheckNoOutput()
        {
            ReadOnlySpan<byte> json = content.AsSpan().Trim(" \t\r\n"u8);
            if (json.IsEmpty)
                return;
            if (!IsJsonObject(json, out var error))
                throw Invalid(error is null ? "a body that is not a JSON object" : $"a body that is not a JSON object ({error.Message})", error);
        }

        public TOutput Read<TOutput>(JsonTypeInfo<TOutput> info)
        {
            ReadOnlySpan<byte> json = content.AsSpan().Trim(" \t\r\n"u8);
            if (json.IsEmpty)
                throw Invalid("an empty body, where its output (a JSON object) belongs", null);
            if (json[0] != (byte)'{')
                throw Invalid("a body that is not a JSON object", null);
            try
            {
                // Decision tasks and history pages, the largest bodies and the ones a worker reads most, go to the lean
                // reader, which makes the same objects (and, for anything unusual, hands over to the generated metadata).
                object? output = typeof(TOutput) == typeof(DecisionTask) ? HistoryReader.ReadDecisionTask(json)
                    : typeof(TOutput) == typeof(History) ? HistoryReader.ReadHistory(json)
                    : JsonSerializer.Deserialize(json, info);
                return (TOutput?)output ?? throw new JsonException("The body is JSON null.");
            }
            catch (JsonException e)
            {
                // Only now the body is read a second time, to say whether it was JSON at all.
                if (!IsJsonObject(json, out var error))
                    throw Invalid(error is null ? "a body that is not a JSON object" : $"a body that is not a JSON object ({error.Message})", error);
                throw Invalid($"a body that is not a valid {typeof(TOutput).Name} ({e.Message})", e);
            }
        }

        private SwfException Invalid(string what, Exception? inner)
        {
            string body = content.Length == 0 ? "" : $" It begins: \"{SwfErrorReader.Snippet(content)}\"";
            return new SwfException("InvalidResponse",
                $"SWF answered {operation} with HTTP {(int)status} ({contentType ?? "no content type"}) and {what}.{body}",
                status, requestId, inner);
        }

        private static bool IsJsonObject(ReadOnlySpan<byte> json, out JsonException? error)
        {
            error = null;
            if (json[0] != (byte)'{')
                return false;
            var reader = new Utf8JsonReader(json);
            try
            {
                reader.Read();
                reader.Skip();
                return !reader.Read(); // a final block: a second value throws, so this is only "nothing more"
            }
            catch (JsonException e)
            {
                error = e;
                return false;
            }
        }
    }
}
