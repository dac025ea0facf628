namespace System.Runtime.CompilerServices;

// Records with init accessors on netstandard2.0.
internal static class IsExternalInit;
