using System.Net;
using System.Text.Json;
using Flow.Swf;

namespace Flow.Cli.Dev;

/// <summary>An error answer in SWF's JSON 1.0 shape: <c>{"__type": "namespace#Name", "message": "..."}</c>.
/// Clients (botocore, the AWS SDKs, our wire client) read the name after the <c>#</c>.</summary>
internal readonly record struct HttpFault(int Status, string Type, string Message)
{
    private const string Coral = "com.amazon.coral.service#";
    private const string SwfModel = "com.amazonaws.swf.base.model#";

    public static HttpFault Serialization(string message) => new(400, Coral + "SerializationException", message);

    public static HttpFault UnknownOperation(string message) => new(400, Coral + "UnknownOperationException", message);

    public static HttpFault Validation(string message) => new(400, "com.amazon.coral.validate#ValidationException", message);

    public static HttpFault MissingAuthenticationToken(string message) => new(400, Coral + "MissingAuthenticationTokenException", message);

    public static HttpFault IncompleteSignature(string message) => new(400, Coral + "IncompleteSignatureException", message);

    public static HttpFault InvalidSignature(string message) => new(400, Coral + "InvalidSignatureException", message);

    public static HttpFault UnrecognizedClient(string message) => new(400, Coral + "UnrecognizedClientException", message);

    public static HttpFault InternalFailure(string message) => new(500, Coral + "InternalFailure", message);

    /// <summary>SWF's own faults (…Fault) live in SWF's model namespace; the common errors
    /// (ValidationException, ThrottlingException, …) in the service framework's, as AWS spells them.</summary>
    public static HttpFault From(SwfException e)
    {
        string ns = e.ErrorCode.EndsWith("Fault", StringComparison.Ordinal) ? SwfModel
            : e.ErrorCode == "ValidationException" ? "com.amazon.coral.validate#"
            : Coral;
        int status = (int)e.StatusCode is >= 400 and < 600 ? (int)e.StatusCode : (int)HttpStatusCode.BadRequest;
        return new HttpFault(status, ns + e.ErrorCode, e.Message);
    }

    public void WriteBody(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("__type"u8, Type);
        writer.WriteString("message"u8, Message);
        writer.WriteEndObject();
    }
}
