// Keys for a 居民身份证号码 (GB 11643): digits, and X for a check digit of ten.
// Loaded by Keyboard.qml for fields with ImhDigitsOnly|ImhUppercaseOnly.
import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components
import QtQuick.VirtualKeyboard.Plugins

KeyboardLayout {
    inputMethod: PlainInputMethod {}
    inputMode: InputEngine.InputMode.Numeric

    KeyboardColumn {
        Layout.fillWidth: false
        Layout.fillHeight: true
        Layout.alignment: Qt.AlignHCenter
        Layout.preferredWidth: height
        KeyboardRow {
            Key { key: Qt.Key_1; text: "1" }
            Key { key: Qt.Key_2; text: "2" }
            Key { key: Qt.Key_3; text: "3" }
            BackspaceKey {}
        }
        KeyboardRow {
            Key { key: Qt.Key_4; text: "4" }
            Key { key: Qt.Key_5; text: "5" }
            Key { key: Qt.Key_6; text: "6" }
            HideKeyboardKey { visible: true }
        }
        KeyboardRow {
            Key { key: Qt.Key_7; text: "7" }
            Key { key: Qt.Key_8; text: "8" }
            Key { key: Qt.Key_9; text: "9" }
            FillerKey {}
        }
        KeyboardRow {
            Key { key: Qt.Key_X; text: "X" }
            Key { key: Qt.Key_0; text: "0" }
            FillerKey {}
            EnterKey {}
        }
    }
}
