using System.Runtime.CompilerServices;

// The store tests check group commit on the writer's counters, which are not public API.
[assembly: InternalsVisibleTo("Letterbox.Tests")]
