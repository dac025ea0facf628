namespace Flow.Swf;

public sealed partial class HistoryEvent
{
    /// <summary>This event as SWF's JSON (UTF-8), when whoever keeps it has it already: the local engine writes each
    /// event to its store once, and flow dev hands those bytes out again in every decision task and history page
    /// instead of serialising the event anew. An event never changes once recorded, so the bytes stay right; null
    /// means write it from its members. Not a serialised member (a field, internal).</summary>
    internal byte[]? Json;
}
