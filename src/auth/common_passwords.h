/* Very common passwords that are long enough to pass the length rule.
 *
 * Where such lists come from: widely published lists of leaked passwords
 * (the passwords most often found in public breach dumps, as compiled by
 * researchers and breach-notification services). This is a small sample
 * written out by hand of the patterns that head those lists: repeated and
 * sequential digits, keyboard walks, "password" and "welcome" with
 * digits, well-known phrases. It is not a copy of any one list, and it
 * catches only the most obvious choices; length does the rest.
 *
 * Only entries of AUTH_MIN_PASSWORD (12) bytes or more matter: shorter ones
 * fail the length rule first. Entries are lowercase (passwords are
 * compared after ASCII lowercasing) and sorted in strcmp order for
 * bsearch; tests/auth/test_auth.c checks both. Included by
 * src/auth/password.c only. */
#ifndef ACCORD_AUTH_COMMON_PASSWORDS_H
#define ACCORD_AUTH_COMMON_PASSWORDS_H

static const char *const common_passwords[] = {
    "!@#$%^&*()_+", "!qaz@wsx#edc", "000000000000", "0000000000000", "00000000000000", "000000000000000",
    "0000000000000000", "010203040506", "012345678901", "0123456789012", "102030405060", "111111111111",
    "1111111111111", "11111111111111", "111111111111111", "1111111111111111", "111222333444", "112233445566",
    "1122334455667788", "121212121212", "12121212121212", "123123123123", "123123123123123", "123321123321",
    "123412341234", "1234123412341234", "123456123456", "123456654321", "1234567890-=", "123456789000",
    "123456789012", "1234567890123", "12345678901234", "123456789012345", "1234567890123456", "1234567890qwerty",
    "1234567890qwertyuiop", "1234567891011", "123456789123", "123456789123456789", "12345678987654321",
    "123456789987654321", "123456789abc", "1234abcd1234", "1234qwerasdf", "1234qwerasdfzxcv", "123qweasdzxc",
    "1q2w3e4r5t6y", "1q2w3e4r5t6y7u", "1q2w3e4r5t6y7u8i", "1q2w3e4r5t6y7u8i9o", "1q2w3e4r5t6y7u8i9o0p",
    "1qaz2wsx3edc", "1qaz2wsx3edc4rfv", "1qaz2wsx3edc4rfv5tgb", "1qaz@wsx#edc", "1qazxsw23edc", "1qazxsw23edc4rfv",
    "222222222222", "333333333333", "444444444444", "555555555555", "666666666666", "777777777777", "888888888888",
    "999999999999", "a1s2d3f4g5h6", "aaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "abc123456789", "abc123abc123",
    "abcabcabcabc", "abcd12345678", "abcd1234abcd", "abcdefg12345", "abcdefgh1234", "abcdefghijkl", "abcdefghijklm",
    "abcdefghijklmn", "abcdefghijklmnop", "abcdefghijklmnopqrstuvwxyz", "admin1234567", "admin123456789",
    "admin@123456", "adminadmin123", "adminadminadmin", "administrator", "administrator1", "administrator123",
    "asdf1234asdf", "asdfasdfasdf", "asdfasdfasdfasdf", "asdfghjkl123", "asdfghjklzxcvbnm", "azerty123456",
    "azertyazerty", "azertyuiop123", "azertyuiopqsdfghjklm", "baseball1234", "basketball123", "batman123456",
    "bestfriendsforever", "butterfly123", "butterfly1234", "changeme1234", "changemenow123", "chocolate123",
    "chocolate1234", "christopher1", "computer1234", "correcthorsebatterystaple", "dragon123456", "elizabeth123",
    "football1234", "football12345", "friendsforever", "happybirthday", "harrypotter1", "harrypotter123",
    "hellokitty123", "helloworld12", "helloworld123", "ilovemyfamily", "ilovemymother", "iloveyou1234",
    "iloveyou12345", "iloveyou123456", "iloveyou4ever", "iloveyoubaby", "iloveyouforever", "iloveyouiloveyou",
    "iloveyoumore", "iloveyousomuch", "internet1234", "jesuslovesme", "justinbieber", "letmein12345",
    "letmein123456", "letmeinletmein", "liverpool123", "liverpool1234", "lovelovelove", "manchesterunited",
    "michaeljordan", "mickeymouse1", "mickeymouse123", "minecraft123", "minecraft1234", "monkey123456",
    "mypassword12", "mypassword123", "mypassword1234", "newpassword1", "newpassword12", "newpassword123",
    "newpassword1234", "onedirection", "onetwothreefour", "p@ssw0rd123!", "p@ssw0rd1234", "p@ssw0rd@123",
    "p@ssword1234", "pa$$w0rd1234", "passw0rd1234", "passw0rdpassw0rd", "password!123", "password#123",
    "password0000", "password1111", "password123!", "password1234", "password1234!", "password12345",
    "password123456", "password1234567", "password12345678", "password123456789", "password2010", "password2011",
    "password2012", "password2013", "password2014", "password2015", "password2016", "password2017", "password2018",
    "password2019", "password2020", "password2021", "password2022", "password2023", "password2024", "password2025",
    "password@123", "password@1234", "passwordpassword", "passwort1234", "pokemon12345", "princess1234",
    "q1w2e3r4t5y6", "q1w2e3r4t5y6u7i8o9p0", "qazwsxedcrfv", "qazwsxedcrfvtgb", "qazwsxedcrfvtgbyhn", "qazxswedcvfr",
    "qwe123qwe123", "qweasdzxc123", "qweasdzxc1234", "qweqweqweqwe", "qwer1234qwer", "qwerasdfzxcv", "qwerty123456",
    "qwerty1234567", "qwerty12345678", "qwerty123456789", "qwerty1234567890", "qwertyqwerty", "qwertyqwertyqwerty",
    "qwertyuiop12", "qwertyuiop123", "qwertyuiop1234", "qwertyuiop[]", "qwertyuiopas", "qwertyuiopasdf",
    "qwertyuiopasdfgh", "qwertyuiopasdfghjkl", "qwertyuiopasdfghjklzxcvbnm", "qwertz123456", "qwertzuiop123",
    "rootroot1234", "secretpassword", "spongebob123", "spongebob1234", "starwars1234", "sunshine1234",
    "superman1234", "supersecret1", "supersecret123", "test12345678", "testing12345", "testing123456",
    "testtesttest", "thequickbrownfox", "thequickbrownfoxjumpsoverthelazydog", "topsecret123", "trustno1trustno1",
    "welcome1234!", "welcome12345", "welcome123456", "welcome@1234", "welcomewelcome", "whatever1234",
    "zaq12wsxcde3", "zaq1xsw2cde3", "zaq1zaq1zaq1", "zxcvbnm12345", "zxcvbnm123456", "zxcvbnmasdfghjkl",
    "zxcvbnmasdfghjklqwertyuiop",
};

#define COMMON_PASSWORDS (sizeof common_passwords / sizeof common_passwords[0])

#endif
