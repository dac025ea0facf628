using System.Net;
using System.Text.Json.Serialization;

namespace Flow.Swf;

/// <summary>The body of an error response in the JSON 1.0 protocol.</summary>
internal sealed class SwfErrorBody
{
    [JsonPropertyName("__type")]
    public string? Type { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    // Some services spell it with a capital M.
    [JsonPropertyName("Message")]
    public string? MessageUpper { get; set; }
}

/// <summary>An error answered by SWF (or an SWF-compatible service).</summary>
public class SwfException : Exception
{
    public SwfException(string errorCode, string message, HttpStatusCode statusCode, string? requestId, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>The fault's name without its namespace, e.g. <c>UnknownResourceFault</c>.</summary>
    public string ErrorCode { get; }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The service's <c>x-amzn-RequestId</c>, for support cases.</summary>
    public string? RequestId { get; }

    /// <summary>
    /// Whether another attempt may succeed: throttling (the AWS SDKs' throttling codes, or HTTP 429), their transient
    /// timeouts, and server faults (5xx). Client faults never are, <c>LimitExceededFault</c> included: SWF's API
    /// reference calls it a system limit reached, to be addressed by cleaning up unused resources or raising the
    /// limit (too many domains, types or open executions), and neither botocore nor AWSSDK.Core retries it. The wire
    /// client and the workers both retry by this rule.
    /// </summary>
    public bool IsRetryable =>
        (int)StatusCode >= 500 || StatusCode == HttpStatusCode.TooManyRequests
        || IsThrottling(ErrorCode) || ErrorCode is "RequestTimeout" or "RequestTimeoutException";

    /// <summary>The throttling codes that AWSSDK.Core and botocore retry. <c>LimitExceededException</c> is another
    /// service's rate limit, not SWF's <c>LimitExceededFault</c>.</summary>
    internal static bool IsThrottling(string errorCode) => errorCode is "Throttling" or "ThrottlingException" or "ThrottledException"
        or "RequestThrottledException" or "TooManyRequestsException" or "ProvisionedThroughputExceededException"
        or "TransactionInProgressException" or "RequestLimitExceeded" or "BandwidthLimitExceeded" or "LimitExceededException"
        or "RequestThrottled" or "SlowDown" or "PriorRequestNotComplete" or "EC2ThrottledException";

    /// <summary>Maps a fault name to its typed exception; an unknown name still surfaces as <see cref="SwfException"/>.</summary>
    public static SwfException Create(string errorCode, string message, HttpStatusCode statusCode, string? requestId) => errorCode switch
    {
        "UnknownResourceFault" => new UnknownResourceException(message, statusCode, requestId),
        "TypeAlreadyExistsFault" => new TypeAlreadyExistsException(message, statusCode, requestId),
        "DomainAlreadyExistsFault" => new DomainAlreadyExistsException(message, statusCode, requestId),
        "DefaultUndefinedFault" => new DefaultUndefinedException(message, statusCode, requestId),
        "TypeDeprecatedFault" => new TypeDeprecatedException(message, statusCode, requestId),
        "DomainDeprecatedFault" => new DomainDeprecatedException(message, statusCode, requestId),
        "TypeNotDeprecatedFault" => new TypeNotDeprecatedException(message, statusCode, requestId),
        "WorkflowExecutionAlreadyStartedFault" => new WorkflowExecutionAlreadyStartedException(message, statusCode, requestId),
        "LimitExceededFault" => new LimitExceededException(message, statusCode, requestId),
        "OperationNotPermittedFault" => new OperationNotPermittedException(message, statusCode, requestId),
        "TooManyTagsFault" => new TooManyTagsException(message, statusCode, requestId),
        _ when IsThrottling(errorCode) => new ThrottlingException(errorCode, message, statusCode, requestId),
        "ValidationException" or "SerializationException" or "MissingParameter" or "InvalidParameterValue"
            => new SwfValidationException(errorCode, message, statusCode, requestId),
        "AccessDeniedException" or "UnrecognizedClientException" or "InvalidSignatureException" or "IncompleteSignature"
            or "IncompleteSignatureException" or "MissingAuthenticationToken" or "MissingAuthenticationTokenException" or "ExpiredTokenException" or "InvalidClientTokenId" or "SignatureDoesNotMatch"
            => new SwfAccessDeniedException(errorCode, message, statusCode, requestId),
        _ => new SwfException(errorCode, message, statusCode, requestId),
    };
}

public sealed class UnknownResourceException(string message, HttpStatusCode status, string? requestId)
    : SwfException("UnknownResourceFault", message, status, requestId);

public sealed class TypeAlreadyExistsException(string message, HttpStatusCode status, string? requestId)
    : SwfException("TypeAlreadyExistsFault", message, status, requestId);

public sealed class DomainAlreadyExistsException(string message, HttpStatusCode status, string? requestId)
    : SwfException("DomainAlreadyExistsFault", message, status, requestId);

public sealed class DefaultUndefinedException(string message, HttpStatusCode status, string? requestId)
    : SwfException("DefaultUndefinedFault", message, status, requestId);

public sealed class TypeDeprecatedException(string message, HttpStatusCode status, string? requestId)
    : SwfException("TypeDeprecatedFault", message, status, requestId);

public sealed class DomainDeprecatedException(string message, HttpStatusCode status, string? requestId)
    : SwfException("DomainDeprecatedFault", message, status, requestId);

public sealed class TypeNotDeprecatedException(string message, HttpStatusCode status, string? requestId)
    : SwfException("TypeNotDeprecatedFault", message, status, requestId);

public sealed class WorkflowExecutionAlreadyStartedException(string message, HttpStatusCode status, string? requestId)
    : SwfException("WorkflowExecutionAlreadyStartedFault", message, status, requestId);

/// <summary>SWF's LimitExceededFault: a limit on things that exist was reached (domains, types, open executions);
/// not a rate, so not retried: clean up, or ask AWS for a higher limit.</summary>
public sealed class LimitExceededException(string message, HttpStatusCode status, string? requestId)
    : SwfException("LimitExceededFault", message, status, requestId);

public sealed class OperationNotPermittedException(string message, HttpStatusCode status, string? requestId)
    : SwfException("OperationNotPermittedFault", message, status, requestId);

public sealed class TooManyTagsException(string message, HttpStatusCode status, string? requestId)
    : SwfException("TooManyTagsFault", message, status, requestId);

/// <summary>The service refused the call's rate (SWF sends ThrottlingException); retried with backoff.</summary>
public sealed class ThrottlingException(string code, string message, HttpStatusCode status, string? requestId)
    : SwfException(code, message, status, requestId);

public sealed class SwfValidationException(string code, string message, HttpStatusCode status, string? requestId)
    : SwfException(code, message, status, requestId);

public sealed class SwfAccessDeniedException(string code, string message, HttpStatusCode status, string? requestId)
    : SwfException(code, message, status, requestId);
