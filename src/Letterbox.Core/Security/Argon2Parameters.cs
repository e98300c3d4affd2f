namespace Letterbox.Core.Security;

/// <summary>
/// Argon2id cost parameters (RFC 9106 §3.1): memory in KiB, passes over memory, lanes.
/// </summary>
public sealed record Argon2Parameters(int MemoryKiB, int Iterations, int Parallelism)
{
    /// <summary>
    /// OWASP Password Storage Cheat Sheet's second Argon2id choice (m=19 MiB, t=2, p=1): tens of
    /// milliseconds per login on a small server, so a burst of IMAP/POP3 logins does not stall it.
    /// </summary>
    public static Argon2Parameters Default { get; } = new(19456, 2, 1);

    /// <summary>Upper bounds accepted from a stored hash, so a tampered row cannot make one login cost minutes or gigabytes.</summary>
    public const int MaxMemoryKiB = 1024 * 1024;
    public const int MaxIterations = 32;
    public const int MaxParallelism = 16;

    /// <summary>Whether the parameters are within what RFC 9106 and the bounds above allow.</summary>
    public bool IsValid =>
        Parallelism is >= 1 and <= MaxParallelism
        && Iterations is >= 1 and <= MaxIterations
        && MemoryKiB >= 8 * Parallelism && MemoryKiB <= MaxMemoryKiB;
}
