using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Flow.Cli.Tests;

/// <summary>Raw SWF JSON 1.0 requests, for tests that need to send what no SDK would.</summary>
internal static class Swf
{
    public const string JsonMediaType = "application/x-amz-json-1.0";

    public static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = TimeSpan.FromSeconds(100),
    };

    public sealed record Answer(int Status, string Body, HttpResponseHeaders Headers)
    {
        public JsonElement Json
        {
            get
            {
                using var doc = JsonDocument.Parse(Body);
                return doc.RootElement.Clone();
            }
        }

        /// <summary>The error name as botocore reads it: <c>__type</c> after its '#'.</summary>
        public string ErrorCode
        {
            get
            {
                string type = Json.GetProperty("__type").GetString()!;
                return type[(type.IndexOf('#') + 1)..];
            }
        }

        public override string ToString() => $"{Status} {Body}";
    }

    public static Task<Answer> CallAsync(DevServer server, string operation, string body, string contentType = JsonMediaType)
        => SendAsync(server, Encoding.UTF8.GetBytes(body), "SimpleWorkflowService." + operation, contentType);

    public static async Task<Answer> SendAsync(DevServer server, byte[] body, string? target, string? contentType = JsonMediaType,
        bool chunked = false, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, server.Url);
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (chunked)
            request.Headers.TransferEncodingChunked = true;
        request.Content = content;
        if (target is not null)
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        using var response = await Http.SendAsync(request);
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers);
    }
}
