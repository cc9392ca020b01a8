#include "ui/vnc_keymap.h"

#include <linux/input-event-codes.h>

namespace rwd {
namespace {

struct KeysymKey {
  uint32_t keysym;
  uint16_t code;
};

// Printable ASCII (keysym == code point), unshifted and shifted, by the key
// that carries each pair on a US keyboard. Letters are handled apart.
constexpr KeysymKey kAscii[] = {
    {' ', KEY_SPACE},
    {'1', KEY_1}, {'!', KEY_1}, {'2', KEY_2}, {'@', KEY_2}, {'3', KEY_3}, {'#', KEY_3},
    {'4', KEY_4}, {'$', KEY_4}, {'5', KEY_5}, {'%', KEY_5}, {'6', KEY_6}, {'^', KEY_6},
    {'7', KEY_7}, {'&', KEY_7}, {'8', KEY_8}, {'*', KEY_8}, {'9', KEY_9}, {'(', KEY_9},
    {'0', KEY_0}, {')', KEY_0},
    {'-', KEY_MINUS}, {'_', KEY_MINUS}, {'=', KEY_EQUAL}, {'+', KEY_EQUAL},
    {'[', KEY_LEFTBRACE}, {'{', KEY_LEFTBRACE}, {']', KEY_RIGHTBRACE}, {'}', KEY_RIGHTBRACE},
    {'\\', KEY_BACKSLASH}, {'|', KEY_BACKSLASH},
    {';', KEY_SEMICOLON}, {':', KEY_SEMICOLON}, {'\'', KEY_APOSTROPHE}, {'"', KEY_APOSTROPHE},
    {'`', KEY_GRAVE}, {'~', KEY_GRAVE},
    {',', KEY_COMMA}, {'<', KEY_COMMA}, {'.', KEY_DOT}, {'>', KEY_DOT}, {'/', KEY_SLASH}, {'?', KEY_SLASH},
};

// Letters in alphabetical order (the evdev codes follow the QWERTY rows).
constexpr uint16_t kLetters[26] = {
    KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M,
    KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
};

// Function, editing, cursor, modifier and keypad keys (X11 keysymdef.h values).
constexpr KeysymKey kSpecial[] = {
    {0xff08, KEY_BACKSPACE}, {0xff09, KEY_TAB}, {0xfe20, KEY_TAB} /* ISO_Left_Tab: Shift+Tab */,
    {0xff0d, KEY_ENTER}, {0xff13, KEY_PAUSE}, {0xff14, KEY_SCROLLLOCK}, {0xff15, KEY_SYSRQ},
    {0xff1b, KEY_ESC}, {0xffff, KEY_DELETE},
    {0xff50, KEY_HOME}, {0xff51, KEY_LEFT}, {0xff52, KEY_UP}, {0xff53, KEY_RIGHT}, {0xff54, KEY_DOWN},
    {0xff55, KEY_PAGEUP}, {0xff56, KEY_PAGEDOWN}, {0xff57, KEY_END},
    {0xff61, KEY_SYSRQ} /* Print */, {0xff63, KEY_INSERT}, {0xff67, KEY_COMPOSE} /* Menu */,
    {0xff7f, KEY_NUMLOCK},
    // Keypad, with NumLock on (digits) and off (the navigation keysyms).
    {0xff8d, KEY_KPENTER}, {0xffaa, KEY_KPASTERISK}, {0xffab, KEY_KPPLUS}, {0xffac, KEY_KPCOMMA},
    {0xffad, KEY_KPMINUS}, {0xffae, KEY_KPDOT}, {0xffaf, KEY_KPSLASH}, {0xffbd, KEY_KPEQUAL},
    {0xffb0, KEY_KP0}, {0xffb1, KEY_KP1}, {0xffb2, KEY_KP2}, {0xffb3, KEY_KP3}, {0xffb4, KEY_KP4},
    {0xffb5, KEY_KP5}, {0xffb6, KEY_KP6}, {0xffb7, KEY_KP7}, {0xffb8, KEY_KP8}, {0xffb9, KEY_KP9},
    {0xff95, KEY_KP7}, {0xff96, KEY_KP4}, {0xff97, KEY_KP8}, {0xff98, KEY_KP6}, {0xff99, KEY_KP2},
    {0xff9a, KEY_KP9}, {0xff9b, KEY_KP3}, {0xff9c, KEY_KP1}, {0xff9d, KEY_KP5}, {0xff9e, KEY_KP0},
    {0xff9f, KEY_KPDOT},
    // F1..F12.
    {0xffbe, KEY_F1}, {0xffbf, KEY_F2}, {0xffc0, KEY_F3}, {0xffc1, KEY_F4}, {0xffc2, KEY_F5},
    {0xffc3, KEY_F6}, {0xffc4, KEY_F7}, {0xffc5, KEY_F8}, {0xffc6, KEY_F9}, {0xffc7, KEY_F10},
    {0xffc8, KEY_F11}, {0xffc9, KEY_F12},
    // Modifiers. AltGr (ISO_Level3_Shift) is the right Alt key of a US keyboard.
    {0xffe1, KEY_LEFTSHIFT}, {0xffe2, KEY_RIGHTSHIFT}, {0xffe3, KEY_LEFTCTRL}, {0xffe4, KEY_RIGHTCTRL},
    {0xffe5, KEY_CAPSLOCK}, {0xffe7, KEY_LEFTMETA}, {0xffe8, KEY_RIGHTMETA}, {0xffe9, KEY_LEFTALT},
    {0xffea, KEY_RIGHTALT}, {0xffeb, KEY_LEFTMETA}, {0xffec, KEY_RIGHTMETA}, {0xfe03, KEY_RIGHTALT},
};

}  // namespace

uint16_t keysym_to_evdev(uint32_t keysym) {
  if (keysym >= 'a' && keysym <= 'z') return kLetters[keysym - 'a'];
  if (keysym >= 'A' && keysym <= 'Z') return kLetters[keysym - 'A'];
  for (const KeysymKey& k : kAscii)
    if (k.keysym == keysym) return k.code;
  for (const KeysymKey& k : kSpecial)
    if (k.keysym == keysym) return k.code;
  return 0;
}

}  // namespace rwd
