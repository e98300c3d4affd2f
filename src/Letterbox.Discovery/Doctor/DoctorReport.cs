namespace Letterbox.Discovery.Doctor;

/// <summary>The verdict of one check.</summary>
public enum CheckStatus
{
    Pass,
    Warn,
    Fail,
    /// <summary>Not run (nothing to check, or an earlier step failed).</summary>
    Skip,
}

/// <summary>One doctor check: what was checked, the verdict, what it found and what to change.</summary>
public sealed record DoctorCheck(string Name, CheckStatus Status, string Detail, string? Fix = null);

/// <summary>All checks of one doctor run.</summary>
public sealed record DoctorReport(IReadOnlyList<DoctorCheck> Checks)
{
    /// <summary>True only when every check passed (or was not applicable): the exit code is 0 only then.</summary>
    public bool Passed => Checks.All(c => c.Status is CheckStatus.Pass or CheckStatus.Skip);
}
