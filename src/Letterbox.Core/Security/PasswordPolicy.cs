using System.Text;

namespace Letterbox.Core.Security;

/// <summary>What a new password must satisfy. Checked when a password is set, never at login.</summary>
public static class PasswordPolicy
{
    /// <summary>Longer than any passphrase anyone types; stops a pasted file from becoming a password.</summary>
    public const int MaxLength = 1024;

    /// <summary>Null when acceptable, else one sentence saying what is wrong. Never echoes the password.</summary>
    public static string? Check(string? password, int minLength)
    {
        if (string.IsNullOrEmpty(password))
        {
            return "password is empty";
        }

        // Counted in Unicode scalar values, as a person would count characters.
        var length = 0;
        var distinct = new HashSet<int>();
        var rest = password.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate cannot be encoded as UTF-8, so no client could ever send it.
                return "password is not valid Unicode (a lone surrogate)";
            }

            rest = rest[consumed..];

            // Mail clients send passwords on one protocol line (IMAP LOGIN, AUTH PLAIN): no controls.
            if (Rune.IsControl(rune))
            {
                return "password contains a control character (such as a tab or line break)";
            }

            length++;
            distinct.Add(rune.Value);
        }

        if (length < minLength)
        {
            return $"password is {length} characters long: at least {minLength} are required";
        }

        if (length > MaxLength)
        {
            return $"password is {length} characters long: at most {MaxLength} are allowed";
        }

        if (distinct.Count == 1)
        {
            return "password repeats a single character: choose one that is harder to guess";
        }

        if (char.IsWhiteSpace(password[0]) || char.IsWhiteSpace(password[^1]))
        {
            return "password starts or ends with a space, which many mail clients strip: remove it";
        }

        return null;
    }
}
