using Flow.Swf;

namespace Flow.Testing;

/// <summary>One-line descriptions of history events, for divergence reports.</summary>
internal static class HistoryText
{
    public static string Describe(HistoryEvent e)
    {
        string detail = e.EventType switch
        {
            EventType.ActivityTaskScheduled => $"activity {e.ActivityTaskScheduledEventAttributes!.ActivityId} " +
                $"({e.ActivityTaskScheduledEventAttributes.ActivityType.Name} {e.ActivityTaskScheduledEventAttributes.ActivityType.Version})",
            EventType.TimerStarted => $"timer {e.TimerStartedEventAttributes!.TimerId} ({e.TimerStartedEventAttributes.StartToFireTimeout} s)",
            EventType.TimerCanceled => $"timer {e.TimerCanceledEventAttributes!.TimerId}",
            EventType.MarkerRecorded => $"marker {e.MarkerRecordedEventAttributes!.MarkerName}",
            EventType.StartChildWorkflowExecutionInitiated => $"child {e.StartChildWorkflowExecutionInitiatedEventAttributes!.WorkflowId} " +
                $"({e.StartChildWorkflowExecutionInitiatedEventAttributes.WorkflowType.Name} {e.StartChildWorkflowExecutionInitiatedEventAttributes.WorkflowType.Version})",
            EventType.SignalExternalWorkflowExecutionInitiated => $"signal {e.SignalExternalWorkflowExecutionInitiatedEventAttributes!.SignalName} " +
                $"to {e.SignalExternalWorkflowExecutionInitiatedEventAttributes.WorkflowId}",
            EventType.ActivityTaskCancelRequested => $"cancel of activity {e.ActivityTaskCancelRequestedEventAttributes!.ActivityId}",
            EventType.WorkflowExecutionSignaled => $"signal {e.WorkflowExecutionSignaledEventAttributes!.SignalName}",
            _ => "",
        };
        return detail.Length == 0 ? $"event {e.EventId} {e.EventType}" : $"event {e.EventId} {e.EventType}: {detail}";
    }
}
