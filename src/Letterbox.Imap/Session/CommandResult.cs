namespace Letterbox.Imap.Session;

internal enum ResultStatus
{
    Ok,
    No,
    Bad,
}

/// <summary>
/// A command's tagged completion (RFC 9051 §7.1), written by the session after any pending
/// untagged updates. <see cref="Code"/> is a response code without brackets (RFC 5530).
/// </summary>
internal readonly record struct CommandResult(ResultStatus Status, string? Code, string Text)
{
    public static CommandResult Ok(string text, string? code = null) => new(ResultStatus.Ok, code, text);

    public static CommandResult No(string text, string? code = null) => new(ResultStatus.No, code, text);

    public static CommandResult Bad(string text, string? code = null) => new(ResultStatus.Bad, code, text);
}
